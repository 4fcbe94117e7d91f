package observe

import (
	"context"
	"unsafe"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/core"
)

// Observation is one unit of work in a Langfuse trace: a span, a
// generation, a tool call... It is an OpenTelemetry span underneath, so it
// nests with spans of any other instrumentation.
//
// Methods on a nil Observation, or on the no-op Observation returned when
// nothing is recorded, do nothing. An Observation is safe for concurrent
// use.
type Observation struct {
	// r is the observation itself. Nothing else may be added: an
	// *Observation is the record's own address (see observation), which
	// TestObservationLayout pins.
	r core.Record
}

// noop is the observation returned when there is nothing to record.
var noop = observation(core.Noop)

// observation returns the Observation that r is. An Observation is a
// struct whose only field is a record, so the two share one memory layout
// and a pointer to one is a pointer to the other (rule (1) of
// unsafe.Pointer): the records that the engine starts, for the wrappers
// too, are observations without another allocation.
func observation(r *core.Record) *Observation { return (*Observation)(unsafe.Pointer(r)) }

// rec returns the record o is, nil for a nil o.
func (o *Observation) rec() *core.Record {
	if o == nil {
		return nil
	}
	return &o.r
}

// Start starts an observation as a child of the observation (or any
// OpenTelemetry span) current in ctx and returns a context in which the new
// one is current. Pass that context on so that work done under it nests.
// The caller must call End, usually deferred right away: a deferred End
// also records a panic that passes through it.
//
// The observation is recorded by the client bound to ctx (see
// langfuse.Client.Context), else by the default client. When there is
// none, or tracing is disabled, Start returns ctx and a no-op observation.
func Start(ctx context.Context, name string, opts ...Option) (context.Context, *Observation) {
	st := core.ClientFrom(ctx)
	if st == nil {
		if ctx == nil {
			ctx = context.Background()
		}
		return ctx, noop
	}
	s := resolve(opts)
	ctx, r := core.Start(ctx, st, name, &s)
	return ctx, observation(r)
}

// StartObservation starts an observation as a child of the one current in
// ctx, without making it current: ctx is unchanged. Use it for siblings
// and for work whose children are started from the observation itself.
func StartObservation(ctx context.Context, name string, opts ...Option) *Observation {
	_, o := Start(ctx, name, opts...)
	return o
}

// CreateEvent records a point-in-time observation of type event under the
// observation current in ctx. The event is already ended, at the time it
// started.
func CreateEvent(ctx context.Context, name string, opts ...Option) *Observation {
	st := core.ClientFrom(ctx)
	if st == nil {
		return noop
	}
	s := resolve(opts)
	return observation(core.Event(ctx, st, name, &s))
}

// Start starts a child of o, current in the returned context. ctx supplies
// everything but the parent (deadlines, propagated attributes). The child
// is recorded by o's client.
func (o *Observation) Start(ctx context.Context, name string, opts ...Option) (context.Context, *Observation) {
	r := o.rec()
	if ctx == nil {
		ctx = context.Background()
	}
	if !r.Live() || !r.Client().Live() {
		return ctx, noop
	}
	s := resolve(opts)
	ctx, child := core.Start(trace.ContextWithSpan(ctx, r.Span()), r.Client(), name, &s)
	return ctx, observation(child)
}

// StartObservation starts a child of o. Attributes propagated in the
// context o was started in reach the child too.
func (o *Observation) StartObservation(name string, opts ...Option) *Observation {
	r := o.rec()
	if !r.Live() {
		return noop
	}
	ctx := context.Background()
	if p := r.Prop(); p != nil {
		ctx = withProp(ctx, p)
	}
	_, child := o.Start(ctx, name, opts...)
	return child
}

// Update sets the given properties. Options that cannot change after start
// (AsType, WithTraceContext) and model options on a type that is not
// generation-like are ignored. Update returns o for chaining.
func (o *Observation) Update(opts ...Option) *Observation {
	if len(opts) == 0 || !o.rec().Live() {
		return o
	}
	s := resolve(opts)
	o.rec().Update(&s)
	return o
}

// SetTraceIO sets the input and output of the observation's whole trace,
// independent of any observation's own input and output (Python
// set_trace_io, JS setTraceIO). A nil argument leaves that side as it is.
// Like WithInput and WithOutput, the values are encoded by package
// capture, masked, and recorded whatever the capture switches say. It
// returns o for chaining.
//
// Trace-level input and output are legacy in Langfuse v4, whose data
// model is observations first: its evaluators read the root observation's
// input and output, which a wrapper of the entry point, or WithInput and
// WithOutput on the root, already records. Use SetTraceIO only for the
// older trace-level features that read the trace record.
func (o *Observation) SetTraceIO(input, output any) *Observation {
	o.rec().SetTraceIO(input, output)
	return o
}

// RecordError marks the observation as failed with err: level ERROR, the
// error text as status message and OpenTelemetry status, and an exception
// event for backends that read one. A nil err does nothing.
func (o *Observation) RecordError(err error) { o.rec().RecordError(err) }

// End applies opts and ends the observation. Only the first End counts;
// later calls change nothing.
//
// Deferred right after Start (defer o.End()), End also sees a panic that
// passes through: it records it (level ERROR, status message
// "panic: <value>", an exception event with the stack), ends the
// observation and lets the panic go on with the same value, as a Python
// with-block does. Called in any other way, End never stops a panic.
//
// End does nothing on the observation of a wrapped call or of a span
// started by other instrumentation (see Current): its owner ends it.
func (o *Observation) End(opts ...Option) {
	r := o.rec()
	if !r.Owned() {
		return
	}
	var s core.Settings
	if len(opts) > 0 {
		s = resolve(opts)
	}
	// recover returns nil unless End itself was deferred and a panic is
	// unwinding through it; the panic is raised again unchanged.
	p := recover()
	r.End(&s, core.Ending{Panic: p})
	if p != nil {
		panic(p)
	}
}

// TraceID returns the id of the observation's trace as 32 lowercase hex
// digits, or "" for a no-op observation.
func (o *Observation) TraceID() string {
	if sc := o.rec().Span().SpanContext(); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	return ""
}

// ID returns the observation's id as 16 lowercase hex digits, or "" for a
// no-op observation.
func (o *Observation) ID() string {
	if sc := o.rec().Span().SpanContext(); sc.HasSpanID() {
		return sc.SpanID().String()
	}
	return ""
}

// Type returns the observation's type; a no-op observation is a span.
func (o *Observation) Type() Type { return Type(o.rec().Type()) }

// IsRecording reports whether the observation records what it is given:
// false for a no-op observation, an ended one, or one sampled out. Check
// it before computing an expensive input or output.
func (o *Observation) IsRecording() bool { return o.rec().IsRecording() }

// Span returns the OpenTelemetry span underneath, for use with other
// OpenTelemetry APIs. It is never nil.
func (o *Observation) Span() trace.Span { return o.rec().Span() }

// Context returns a copy of ctx in which o is the current observation.
func (o *Observation) Context(ctx context.Context) context.Context { return o.rec().Context(ctx) }
