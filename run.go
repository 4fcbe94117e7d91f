package langfuse

import (
	"context"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/observe"
)

// Run observes one call of fn now, inline: the Go form of JS
// startActiveObservation and of a Python with-block around any code. fn
// gets a ctx in which the new observation is current, a child of the one
// current in ctx; observe.Current(ctx) inside fn returns it.
//
// Run has the wrappers' semantics: fn's results are returned unchanged, an
// error is recorded with level ERROR, a panic is recorded and goes on with
// the same value, and the result is the output unless output capture is
// off (observe.CaptureOutput or
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED). No input is recorded
// unless observe.WithInput gives one, which is recorded whatever the
// environment says, as in observe.Start (observe.CaptureInput(false)
// drops it). An empty name names the observation
// after the function that calls Run (fn itself is usually a closure, whose
// name says little). With no client recording, Run calls fn(ctx) directly.
func Run[R any](ctx context.Context, name string, fn func(context.Context) (R, error), opts ...observe.Option) (R, error) {
	st := core.ClientFrom(ctx)
	if st == nil {
		return fn(ctx)
	}
	if name == "" {
		name = callerName()
	}
	s := core.Resolve(core.Options(opts))
	ctx, r := core.BeginInline(ctx, st, name, &s)
	return call(r, func() (R, error) { return fn(ctx) })
}
