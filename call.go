package langfuse

import (
	"context"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/observe"
)

// call runs body as the observed call r, the one protocol of the wrappers
// and Run: it ends r with body's error, or with its result as the output
// when output capture is on (and, on a generation, the details the result
// reports); a panic is recorded and raised again with the same value, and
// runtime.Goexit ends r as it is. body's results are returned unchanged.
func call[R any](r *core.Record, body func() (R, error)) (R, error) {
	done := false
	defer r.Guard(&done, nil)
	out, err := body()
	done = true
	end := core.Ending{Returned: true, Err: err}
	// The result is boxed only when something reads it.
	if err == nil && (r.CapturesOutput() || r.ReportsGeneration()) {
		end.Output, end.Details = out, generationOf
	}
	r.End(nil, end)
	return out, err
}

// generationOf reads the model call that result reports, when it is an
// observe.GenerationResult. The engine calls it, and contains a panic in
// the result's method.
func generationOf(result any) (core.GenerationDetails, bool) {
	gr, ok := result.(observe.GenerationResult)
	if !ok {
		return core.GenerationDetails{}, false
	}
	return core.GenerationDetails(gr.GenerationDetails()), true
}

// lean runs body as one call of a lean wrapper (core.Spec.Lean), with
// call's protocol: body gets a ctx in which the call's span is current,
// its error or panic is recorded, its result is the output when output
// capture is on, and its results are returned unchanged. The call's
// state lives on this frame: it allocates nothing beyond its span.
func lean[R any](ctx context.Context, st *global.State, sp *core.Spec, body func(context.Context) (R, error)) (R, error) {
	var c core.Call
	ctx = sp.BeginCall(ctx, st, &c)
	done := false
	defer c.Guard(&done)
	out, err := body(ctx)
	done = true
	if err == nil && c.CapturesOutput() {
		c.End(out, nil) // the result is boxed only when it is recorded
	} else {
		c.End(nil, err)
	}
	return out, err
}
