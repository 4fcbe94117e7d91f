package observe

import (
	"context"

	"github.com/observe-go/langfuse/internal/core"
)

// Current returns the observation current in ctx. It never returns nil:
// with no recording span in ctx it returns a no-op observation.
//
// Inside a wrapped call it is the call's observation: Update works on it,
// and End leaves ending it to the wrapper. When the span current in ctx
// was started by other OpenTelemetry instrumentation, Current returns an
// observation of type span for it, which Update works on and End leaves
// to whoever started the span.
func Current(ctx context.Context) *Observation {
	return observation(core.Current(ctx))
}

// UpdateCurrent updates the observation current in ctx; see
// Observation.Update. It is safe to call from several goroutines at once,
// as parallel tool calls under one observation do.
func UpdateCurrent(ctx context.Context, opts ...Option) {
	Current(ctx).Update(opts...)
}

// SetCurrentTraceIO sets the input and output of the trace of the
// observation current in ctx; see Observation.SetTraceIO, and prefer the
// root observation's own input and output, which Langfuse v4 reads.
func SetCurrentTraceIO(ctx context.Context, input, output any) {
	Current(ctx).SetTraceIO(input, output)
}
