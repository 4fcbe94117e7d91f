package observe

import (
	"context"
	"math/bits"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/attrs"
	"github.com/observe-go/langfuse/internal/global"
)

// Call is one call observed by a Wrapper, from Begin to Finish. It is a
// small value rather than an Observation: a call whose code never asks for
// its observation allocates none. Inside the call, Current returns a view
// of it that Update works on; the Wrapper ends it.
type Call struct {
	span       trace.Span
	st         *global.State
	typ        Type
	captureOut bool
	// buf is attribute space shared by the start and the end of a call
	// that captures, so that both cost one allocation.
	buf []attribute.KeyValue
}

// Begin starts the observation of one call, as Start does, and returns the
// context the call runs in. args are the call's arguments, recorded as
// its input when input capture is on.
func (w *Wrapper) Begin(ctx context.Context, args ...any) (context.Context, Call) {
	if ctx == nil {
		ctx = context.Background()
	}
	st := global.Load()
	if st == nil {
		return ctx, Call{}
	}
	ctx, span := st.Tracer.Start(ctx, w.name)
	c := Call{span: span, st: st, typ: w.op.typ, captureOut: w.captureOut.or(st.CaptureIO)}
	if !span.IsRecording() {
		return ctx, c
	}
	withArgs := len(args) > 0 && w.captureIn.or(st.CaptureIO)
	static := w.op.set&^startOnly != 0
	if !withArgs && !static {
		span.SetAttributes(w.op.typeKV...) // shared: no allocation
		return ctx, c
	}
	head := make([]attribute.KeyValue, 0, 3+bitsSet(w.op.set))
	head = append(head, w.op.typeKV...)
	if withArgs {
		head = append(head, attribute.String(attrs.ObservationInput, capture.String(inputOf(args, w.op.argNames, st.Capture), st.Capture)))
	}
	if static {
		o := c.view()
		o.apply(&w.op, head)
	} else {
		span.SetAttributes(head...)
	}
	c.buf = head[:0]
	return ctx, c
}

// Finish ends c as a call that returned output and err: with err, level
// ERROR and the error's text; without, output as the output when output
// capture is on.
func (w *Wrapper) Finish(c Call, output any, err error) {
	if c.span == nil {
		return
	}
	switch {
	case err != nil:
		c.view().RecordError(err)
	case c.captureOut && c.span.IsRecording():
		// The start is done with buf: SetAttributes copied what it held.
		c.span.SetAttributes(append(c.buf, attribute.String(attrs.ObservationOutput, capture.String(output, c.st.Capture)))...)
	}
	c.span.End()
}

// FinishPanic ends c as a call that panicked with r, as EndPanic does.
func (w *Wrapper) FinishPanic(c Call, r any) {
	if c.span == nil {
		return
	}
	o := c.view()
	o.foreign = false // so that EndPanic ends the span
	w.EndPanic(o, r)
}

// End ends the call's observation as it is, recording no result: for a
// call that left through runtime.Goexit.
func (c Call) End() {
	if c.span != nil {
		c.span.End()
	}
}

// view is an Observation for the call's span, made when it is needed.
func (c Call) view() *Observation {
	o := &Observation{span: c.span, st: c.st, typ: c.typ, foreign: true, captureIn: true, captureOut: c.captureOut}
	o.ref = spanRef{Span: c.span, o: o}
	return o
}

func bitsSet(f field) int { return bits.OnesCount32(uint32(f)) }
