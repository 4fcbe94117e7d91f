package core

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/semconv"
)

// Ending is how the code an observation watched came to its end, for
// Record.End: the zero Ending ends the observation as it is.
type Ending struct {
	// Returned says that an observed call returned: Output is its
	// result, recorded when output capture is on, and Err its error.
	Returned bool
	Output   any
	Err      error
	// Details reads the model call a result reports (model, usage,
	// cost), for a generation-like observation; nil when results report
	// nothing. A panic in it is contained.
	Details func(result any) (GenerationDetails, bool)
	// Panic is the value of a panic going through the observed code. End
	// records it; the caller raises it again, unchanged.
	Panic any
	// At is when the observation ends, if not now.
	At time.Time
}

// End applies s, the options of a public End (nil for none), and ends r
// as e says, once: later calls change nothing. It is the one way a record
// ends, whoever ends it (a wrapper, a handler, a sequence, the public End)
// and however the code it watched ended. s is a parameter of its own, not
// a field of e, so that escape analysis keeps it on the caller's stack
// while e's values go to the span.
func (r *Record) End(s *Settings, e Ending) {
	if !r.Live() || !r.setBit(ended) {
		return
	}
	returned := e.Returned && e.Err == nil
	if returned && e.Details != nil && e.Output != nil && r.reportsGeneration() {
		r.recordGeneration(e.Output, e.Details)
	}
	// The start is done with buf: the SDK copied what it held, and buf[0]
	// may hold the arguments, written now with the output.
	kvs := r.pendingInput(r.attrs())
	if returned && r.CapturesOutput() {
		kvs = append(kvs, attribute.String(semconv.ObservationOutput, capture.String(e.Output, captureOptions(r.client))))
	}
	if s.writes() {
		r.apply(s, kvs)
	} else if len(kvs) > 0 {
		r.span.SetAttributes(kvs...)
	}
	if e.Err != nil {
		r.RecordError(e.Err)
	}
	if e.Panic != nil {
		r.recordPanic(e.Panic)
	}
	if e.At.IsZero() {
		r.span.End()
	} else {
		r.span.End(trace.WithTimestamp(e.At))
	}
}

// Guard ends r when the code it observes did not return: it records a
// panic and raises it again with the same value; when the code left
// through runtime.Goexit it calls exited, or ends r as it is when exited
// is nil. It must be deferred directly (defer r.Guard(&done, nil)), with
// done set once the code has returned, which then ends r itself.
func (r *Record) Guard(done *bool, exited func()) {
	if *done {
		return
	}
	if p := recover(); p != nil {
		r.End(nil, Ending{Panic: p})
		panic(p)
	}
	if exited != nil {
		exited()
		return
	}
	r.End(nil, Ending{})
}

// pendingInput appends to kvs the captured arguments not written yet, if
// any, and marks them written.
func (r *Record) pendingInput(kvs []attribute.KeyValue) []attribute.KeyValue {
	if r.bits.Load()&inPending != 0 && r.clearBit(inPending) {
		kvs = append(kvs, r.buf[0])
	}
	return kvs
}

// RecordError marks r failed with err: level ERROR, the error's text as
// status message and OpenTelemetry status, and an exception event.
func (r *Record) RecordError(err error) {
	if !r.Live() || err == nil || !r.span.IsRecording() {
		return
	}
	msg := r.setError(safeError(err))
	// The SDK's RecordError would call err.Error() again, unguarded.
	r.span.AddEvent("exception", trace.WithAttributes(
		attribute.String("exception.type", errorType(err)),
		attribute.String("exception.message", msg)))
}

// recordPanic marks r failed with the panic value p: level ERROR, status
// message "panic: <value>" and an exception event with the stack.
func (r *Record) recordPanic(p any) {
	if !r.span.IsRecording() {
		return
	}
	msg := r.setError("panic: " + panicText(p, captureOptions(r.client)))
	r.span.RecordError(panicError(msg), trace.WithStackTrace(true))
}

// panicError carries a panic's text to the SDK's RecordError.
type panicError string

func (e panicError) Error() string { return string(e) }
