package langfuse_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
)

func TestDisabledWrapperDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test also runs this without -race")
	}
	newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	f := langfuse.Observe1("off", func(_ context.Context, s string) (string, error) { return s, nil })
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() { _, _ = f(ctx, "x") })
	assert.Zero(t, allocs)
}
