package observe

import (
	"context"
	"math/bits"
	"reflect"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/attrs"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/propctx"
)

// Observation is one unit of work in a Langfuse trace: a span, a
// generation, a tool call... It is an OpenTelemetry span underneath, so it
// nests with spans of any other instrumentation.
//
// Methods on a nil Observation, or on the no-op Observation returned when
// no client is set up, do nothing. An Observation is safe for concurrent
// use.
type Observation struct {
	span trace.Span
	st   *global.State
	prop *propctx.Set
	typ  Type

	captureIn, captureOut bool
	// foreign marks a view of a span started by other instrumentation:
	// Update works on it, End leaves it to its owner.
	foreign  bool
	argNames []string

	ended atomic.Bool

	mu        sync.Mutex // guards errored and statusMsg
	errored   bool
	statusMsg string

	// buf, when set, is attribute space allocated with the observation,
	// used by its start and by the end of a wrapped call, which no other
	// goroutine can run at the same time.
	buf []attribute.KeyValue

	// ctx is the context Start returns (see spanCtx).
	ctx spanCtx

	// ref is the span as it is stored in a context. It points back to the
	// Observation so Current can find it without a second context value.
	ref spanRef
}

// observationWithBuf is an Observation allocated together with room for
// the attributes a wrapped call sets: type, input, output.
type observationWithBuf struct {
	Observation
	buf [3]attribute.KeyValue
}

// spanRef is the trace.Span an Observation puts in a context.
type spanRef struct {
	trace.Span
	o *Observation
}

// noopObservation is returned when there is nothing to record.
var noopObservation = &Observation{span: noop.Span{}, typ: TypeSpan}

func (o *Observation) live() bool { return o != nil && o.st != nil }

// Start starts an observation as a child of the observation (or any
// OpenTelemetry span) current in ctx and returns a context in which the new
// one is current. Pass that context on so that work done under it nests.
// The caller must call End.
func Start(ctx context.Context, name string, opts ...Option) (context.Context, *Observation) {
	st := global.Load()
	if st == nil {
		return ctx, noopObservation
	}
	op := resolve(opts)
	return start(ctx, st, name, &op, nil, defaultCapture)
}

// StartObservation starts an observation as a child of the one current in
// ctx, without making it current: ctx is unchanged. Use it for siblings
// and for work whose children are started from the observation itself.
func StartObservation(ctx context.Context, name string, opts ...Option) *Observation {
	_, o := Start(ctx, name, opts...)
	return o
}

// CreateEvent records a point-in-time observation of type event under the
// observation current in ctx. The event is already ended.
func CreateEvent(ctx context.Context, name string, opts ...Option) *Observation {
	st := global.Load()
	if st == nil {
		return noopObservation
	}
	op := resolve(opts)
	op.typ, op.set = TypeEvent, op.set|fType
	_, o := start(ctx, st, name, &op, nil, defaultCapture)
	o.End()
	return o
}

// Start starts a child of o, current in the returned context. ctx supplies
// everything but the parent (deadlines, propagated attributes).
func (o *Observation) Start(ctx context.Context, name string, opts ...Option) (context.Context, *Observation) {
	if !o.live() {
		return ctx, noopObservation
	}
	if ctx == nil {
		ctx = context.Background()
	}
	op := resolve(opts)
	return start(o.Context(ctx), o.st, name, &op, nil, defaultCapture)
}

// StartObservation starts a child of o. Attributes propagated in the
// context o was started in reach the child too.
func (o *Observation) StartObservation(name string, opts ...Option) *Observation {
	if !o.live() {
		return noopObservation
	}
	ctx := context.Background()
	if o.prop != nil {
		ctx = propctx.With(ctx, o.prop)
	}
	_, child := o.Start(ctx, name, opts...)
	return child
}

// Update sets the given properties. Options that cannot change after start
// (AsType, WithTraceContext) and model options on a type that is not
// generation-like are ignored. Update returns o for chaining.
func (o *Observation) Update(opts ...Option) *Observation {
	if !o.live() || len(opts) == 0 {
		return o
	}
	op := resolve(opts)
	o.apply(&op, nil)
	return o
}

// RecordError marks the observation as failed with err: level ERROR, the
// error text as status message and OpenTelemetry status, and an exception
// event for backends that read one. A nil err does nothing.
func (o *Observation) RecordError(err error) {
	if !o.live() || err == nil {
		return
	}
	msg := o.setError(safeError(err))
	// The SDK's RecordError would call err.Error() again, unguarded.
	o.span.AddEvent("exception", trace.WithAttributes(
		attribute.String("exception.type", errorType(err)),
		attribute.String("exception.message", msg)))
}

// errorType names err's type as the exception.type of an event.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.PkgPath() == "" && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

// End applies opts and ends the observation. Only the first End counts;
// later calls change nothing.
func (o *Observation) End(opts ...Option) {
	if !o.live() || o.foreign || !o.ended.CompareAndSwap(false, true) {
		return
	}
	if len(opts) > 0 {
		op := resolve(opts)
		o.apply(&op, nil)
	}
	o.span.End()
}

// TraceID returns the id of the observation's trace as 32 lowercase hex
// digits, or "" for a no-op observation.
func (o *Observation) TraceID() string {
	if o == nil {
		return ""
	}
	sc := o.span.SpanContext()
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}

// ID returns the observation's id as 16 lowercase hex digits, or "" for a
// no-op observation.
func (o *Observation) ID() string {
	if o == nil {
		return ""
	}
	sc := o.span.SpanContext()
	if !sc.HasSpanID() {
		return ""
	}
	return sc.SpanID().String()
}

// Type returns the observation's type; a no-op observation is a span.
func (o *Observation) Type() Type {
	if o == nil {
		return TypeSpan
	}
	return o.typ
}

// IsRecording reports whether the observation records what it is given:
// false for a no-op observation, an ended one, or one sampled out. Check
// it before computing an expensive input or output.
func (o *Observation) IsRecording() bool {
	return o.live() && o.span.IsRecording()
}

// Span returns the OpenTelemetry span underneath, for use with other
// OpenTelemetry APIs. It is never nil.
func (o *Observation) Span() trace.Span {
	if o == nil {
		return noop.Span{}
	}
	return o.span
}

// Context returns a copy of ctx in which o is the current observation.
func (o *Observation) Context(ctx context.Context) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if !o.live() {
		return ctx
	}
	if o.foreign {
		return trace.ContextWithSpan(ctx, o.span)
	}
	return trace.ContextWithSpan(ctx, &o.ref)
}

// startOnly are the option fields that write no attribute themselves.
const startOnly = fType | fTraceContext | fCaptureIn | fCaptureOut | fArgNames | fTransform

// typeAttrs holds the type attribute of each type, made once, so that
// starting an observation does not build it again. SetAttributes copies
// what it is given, so sharing the slices is safe.
var typeAttrs = func() map[Type][]attribute.KeyValue {
	m := make(map[Type][]attribute.KeyValue)
	for _, t := range []Type{TypeSpan, TypeGeneration, TypeEvent, TypeAgent, TypeTool, TypeChain,
		TypeRetriever, TypeEvaluator, TypeEmbedding, TypeGuardrail} {
		m[t] = []attribute.KeyValue{attribute.String(attrs.ObservationType, string(t))}
	}
	return m
}()

// resolvedType returns the type the options ask for, span when they ask
// for none or for one Langfuse does not know, and its attribute.
func (op *options) resolvedType() (Type, []attribute.KeyValue) {
	if op.typeKV != nil {
		return op.typ, op.typeKV // resolved once by NewWrapper
	}
	if !op.has(fType) {
		return TypeSpan, typeAttrs[TypeSpan]
	}
	if kv, ok := typeAttrs[op.typ]; ok {
		return op.typ, kv
	}
	global.WarnOnce("unknown observation type, using span", "type", string(op.typ))
	return TypeSpan, typeAttrs[TypeSpan]
}

// captureDefault decides input and output capture when no option does;
// wrapped marks the call of a Wrapper, whose End records the output in
// the observation's own attribute buffer.
type captureDefault struct{ in, out, wrapped bool }

var defaultCapture = captureDefault{in: true, out: true}

// start starts an observation with the options op, which it only reads,
// and args, when given, as its input.
func start(ctx context.Context, st *global.State, name string, op *options, args []any, def captureDefault) (context.Context, *Observation) {
	if ctx == nil {
		ctx = context.Background()
	}
	typ, typeKV := op.resolvedType()
	asRoot := false
	if op.has(fTraceContext) {
		ctx, asRoot = withRemoteParent(ctx, op.traceID, op.parentSpanID)
	}
	_, span := st.Tracer.Start(ctx, name)
	recording := span.IsRecording()
	captureIn, captureOut := def.in, def.out
	if op.has(fCaptureIn) {
		captureIn = op.captureIn
	}
	if op.has(fCaptureOut) {
		captureOut = op.captureOut
	}
	withArgs := len(args) > 0 && captureIn
	startAttrs := asRoot || withArgs || op.set&^startOnly != 0
	var o *Observation
	if recording && (startAttrs || (def.wrapped && captureOut)) {
		// One allocation for the observation and the attribute buffer its
		// start and end fill, instead of one per SetAttributes call.
		ob := &observationWithBuf{}
		o = &ob.Observation
		o.buf = ob.buf[:0]
	} else {
		o = &Observation{}
	}
	o.span, o.st, o.prop, o.typ = span, st, propctx.FromContext(ctx), typ
	o.captureIn, o.captureOut = captureIn, captureOut
	o.ref = spanRef{Span: span, o: o}
	if op.has(fArgNames) {
		o.argNames = op.argNames
	}
	if recording {
		if !startAttrs {
			// Nothing but the type: a shared slice, no allocation.
			span.SetAttributes(typeKV...)
		} else {
			head := o.buf
			if head == nil {
				head = make([]attribute.KeyValue, 0, 2+bits.OnesCount32(uint32(op.set)))
			}
			head = append(head, typeKV...)
			if asRoot {
				head = append(head, attribute.Bool(attrs.AsRoot, true))
			}
			if withArgs {
				head = append(head, attribute.String(attrs.ObservationInput, capture.String(inputOf(args, o.argNames, st.Capture), st.Capture)))
			}
			o.apply(op, head)
		}
	}
	return o.contextWith(ctx), o
}

// Unwrap returns the SDK span, for span processors that inspect the parent
// of a new span.
func (r *spanRef) Unwrap() trace.Span { return r.Span }
