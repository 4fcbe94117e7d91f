package observe

import (
	"math/bits"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/prompt"
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

// TestOptionsAreOneList checks that each option function makes an option
// of one field, its own: the kind of an option and the mark it leaves in
// the resolved settings are one list (core.Field).
func TestOptionsAreOneList(t *testing.T) {
	opts := map[string]Option{
		"AsType": AsType(TypeTool), "WithInput": WithInput(1), "WithArgs": WithArgs(1, 2),
		"WithOutput": WithOutput(1), "WithMetadata": WithMetadata(map[string]any{"k": 1}),
		"WithLevel": WithLevel(LevelDebug), "WithStatusMessage": WithStatusMessage("m"),
		"WithVersion": WithVersion("v"), "WithModel": WithModel("m"),
		"WithModelParameters": WithModelParameters(map[string]any{"t": 1}),
		"WithUsage":           WithUsage(map[string]int{"input": 1}), "WithCost": WithCost(map[string]float64{"input": 1}),
		"WithCompletionStartTime": WithCompletionStartTime(time.Unix(1, 0)), "WithPrompt": WithPrompt("p", 1),
		"WithTraceContext": WithTraceContext("t", ""), "CaptureInput": CaptureInput(false),
		"CaptureOutput": CaptureOutput(false), "ObeyCaptureSwitches": ObeyCaptureSwitches(),
		"ArgNames": ArgNames("a"), "TransformOutput": TransformOutput(func(items []any) any { return items }),
		"ReadBaggage": ReadBaggage(true), "TraceIDHeader": TraceIDHeader("X-Request-ID"),
	}
	owner := map[core.Field]string{}
	for name, o := range opts {
		f := o.o.Field
		if !assert.Equal(t, 1, bits.OnesCount32(uint32(f)), "%s sets one field", name) {
			continue
		}
		if other, dup := owner[f]; dup {
			t.Errorf("%s and %s set the same field", name, other)
		}
		owner[f] = name
	}
	assert.Equal(t, opts["WithPrompt"].o, FromPrompt(&prompt.Prompt{Name: "p", Version: 1}).o, "FromPrompt is WithPrompt")
	assert.Equal(t, Option{}, FromPrompt(nil))
}
