package core

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/semconv"
)

// Call is the observation of one call of a wrapper that needs no Record
// of its own (see Spec.Lean): it lives on the wrapper's stack, so that
// the call allocates nothing beyond its span. The call's ctx holds the
// span but no record; Current borrows one for the span when the call's
// code asks, as it does for a span of other instrumentation, which is
// what the call's own record would be: of type span, ended by the
// wrapper, keeping what it is given. The zero Call records nothing.
//
// A Call is ended once, by End or, when the code does not return, by
// Guard; it is used by the goroutine that made it.
type Call struct {
	parent context.Context // the call's ctx, holding span
	span   trace.Span
	client *global.State
	// output says that the call's result is recorded when it returns:
	// output capture is on and the span records, which only the wrapper
	// ends.
	output bool
	out    keep
}

// Lean reports whether the calls of sp that st records can be observed
// by a Call: observations of type span that write nothing as they start
// and capture no arguments (withArgs says whether the wrapped function
// takes any after ctx), whose record only ends a span. Calls that
// capture their arguments keep a Record, which holds them until the end,
// when an input given explicitly meanwhile replaces them.
func (sp *Spec) Lean(st *global.State, withArgs bool) bool {
	return sp.typ == tSpan && !sp.s.writes() && (!withArgs || !sp.CaptureInput(st))
}

// BeginCall starts the observation of one call of a lean wrapper (see
// Lean) into c and returns the ctx for the call, in which its span is
// current.
func (sp *Spec) BeginCall(ctx context.Context, st *global.State, c *Call) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if st != global.Load() {
		global.NoteSecondClient()
	}
	ctx, span := st.Tracer.Start(ctx, sp.name)
	out := sp.plan(st).out
	*c = Call{parent: ctx, span: span, client: st, out: out, output: out == keepAll && span.IsRecording()}
	return ctx
}

// CapturesOutput reports whether the result of the call, when it
// returns without an error, is recorded as its output.
func (c *Call) CapturesOutput() bool { return c.output }

// End ends the call that returned err and, when CapturesOutput and err
// is nil, output.
func (c *Call) End(output any, err error) {
	switch {
	case c.client == nil:
		return
	case err != nil:
		// Failure is recorded as a Record records it, in one place.
		c.record().End(nil, Ending{Returned: true, Err: err})
		return
	case c.CapturesOutput():
		c.span.SetAttributes(attribute.String(semconv.ObservationOutput, capture.String(output, captureOptions(c.client))))
	}
	c.span.End()
}

// Guard is Record.Guard for a Call: deferred directly, with done set once
// the call has returned, it records a panic and raises it again with the
// same value, and ends the call as it is when it left through
// runtime.Goexit.
func (c *Call) Guard(done *bool) {
	if *done || c.client == nil {
		return
	}
	if p := recover(); p != nil {
		c.record().End(nil, Ending{Panic: p})
		panic(p)
	}
	c.span.End()
}

// record returns a Record for the call, for the rare endings that write
// more than an output: the record the wrapper would otherwise have made.
func (c *Call) record() *Record {
	return &Record{parent: c.parent, span: c.span, client: c.client, typ: tSpan,
		in: keepAll, out: c.out, managed: true}
}
