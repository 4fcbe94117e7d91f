package observe

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/internal/core"
)

// TestOptionLayout pins what core.Options relies on to read a []Option
// as the core options it holds without copying: an Option is a struct of
// one core.Option, and nothing else.
func TestOptionLayout(t *testing.T) {
	typ := reflect.TypeFor[Option]()
	require.Equal(t, 1, typ.NumField(), "an Option holds one core.Option and nothing else (core.Options views []Option as []core.Option)")
	assert.Equal(t, reflect.TypeFor[core.Option](), typ.Field(0).Type)
	assert.Equal(t, unsafe.Sizeof(core.Option{}), unsafe.Sizeof(Option{}))

	opts := []Option{AsType(TypeTool), WithLevel(LevelWarning), {}}
	view := core.Options(opts)
	require.Len(t, view, len(opts))
	for i := range opts {
		assert.Equal(t, opts[i].o, view[i], "option %d", i)
	}
	assert.Nil(t, core.Options([]Option(nil)))
	assert.Panics(t, func() { core.Options([]int32{1}) }, "a slice of anything else is refused")
}

// TestObservationLayout pins what observation relies on to use a record
// as an Observation without another allocation: an Observation is a
// struct of one core.Record, and nothing else.
func TestObservationLayout(t *testing.T) {
	typ := reflect.TypeFor[Observation]()
	require.Equal(t, 1, typ.NumField(), "an Observation is a core.Record and nothing else (see observation)")
	assert.Equal(t, reflect.TypeFor[core.Record](), typ.Field(0).Type)
	assert.Equal(t, unsafe.Sizeof(core.Record{}), unsafe.Sizeof(Observation{}))

	assert.Same(t, core.Noop, noop.rec(), "an observation is its record")
	var none *Observation
	assert.Nil(t, none.rec())
	assert.Nil(t, observation(nil))
}
