package core

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/propctx"
	"github.com/observe-go/langfuse/semconv"
)

// Record is one observation from start to end. Its fields other than the
// error state and the state bits are set before it is published and never
// change. It is safe for concurrent use.
//
// A Record is also the context.Context in which it is current (see
// Value): starting an observation allocates the record and nothing else,
// and the record is small, because every call of a wrapper makes one.
type Record struct {
	// parent is the context r started in, holding r's span: r is that
	// context with r current. It also holds the attributes propagated to r.
	parent context.Context
	span   trace.Span
	client *global.State // nil for the no-op record
	// buf, when not nil, is attribute space allocated with the record
	// (see recordBuf), used by its start and by its end: the SDK copies
	// what SetAttributes is given (pinned by a test). A record that
	// writes nothing as it starts and ends, such as a wrapped call that
	// captures nothing, goes without.
	buf *[2]attribute.KeyValue
	// argNames names the arguments of a call (ArgNames); nil for none.
	argNames *[]string
	// errs is the error state, made by the first error, level or status.
	errs atomic.Pointer[errState]
	// bits holds ended and inPending.
	bits atomic.Uint32
	typ  obsType
	// in and out say what the record keeps of its input and output.
	in, out keep
	// managed records are ended by whoever started their span (a wrapper,
	// other instrumentation), never through the public End.
	managed bool
	// recording says that the span recorded as a wrapper's record
	// started. Only the wrapper ends that span, so it records until then,
	// and the record need not ask the span (which takes its lock) again.
	recording bool
	// borrowed records are made by Current for a span that has no record
	// in ctx (see Current), one per call: their error state starts from
	// what the span holds, so that updates through several of them
	// combine as updates through one record do.
	borrowed bool
}

// Deadline, Done, Err and Value make a Record the context in which it is
// current: its parent, which holds the record's span, plus the record.
// Starting an observation thus allocates no context of its own.

// Deadline returns the deadline of the context r started in.
func (r *Record) Deadline() (time.Time, bool) { return r.parent.Deadline() }

// Done returns the Done channel of the context r started in.
func (r *Record) Done() <-chan struct{} { return r.parent.Done() }

// Err returns the error of the context r started in.
func (r *Record) Err() error { return r.parent.Err() }

// Value returns r for the record key and r's client for the client key,
// so that children use their parent's client, and otherwise what the
// context r started in holds.
func (r *Record) Value(key any) any {
	switch key.(type) {
	case recordKey:
		return r
	case clientKey:
		return r.client
	}
	return r.parent.Value(key)
}

// The bits of Record.bits.
const (
	// ended is set by the End that ends the record.
	ended uint32 = 1 << iota
	// inPending says that buf[0] holds the captured arguments of a
	// wrapped call, to be written with its output in one SetAttributes as
	// it ends, unless an input given explicitly meanwhile took their place.
	inPending
)

// setBit sets bit b and reports whether this call set it.
func (r *Record) setBit(b uint32) bool { return r.bits.Or(b)&b == 0 }

// clearBit clears bit b and reports whether this call cleared it.
func (r *Record) clearBit(b uint32) bool { return r.bits.And(^b)&b != 0 }

// errState is the error state of a record: a level set in one update and
// a message in another make one OpenTelemetry status.
type errState struct {
	mu        sync.Mutex
	errored   bool
	statusMsg string
}

// errState returns r's error state, making it on first use: empty, or
// for a borrowed record, the level and status message the span holds.
func (r *Record) errState() *errState {
	if e := r.errs.Load(); e != nil {
		return e
	}
	e := new(errState)
	if r.borrowed {
		e.errored, e.statusMsg = spanErrorState(r.span)
	}
	r.errs.CompareAndSwap(nil, e)
	return r.errs.Load()
}

// spanErrorState reads the level and status message span holds, when
// its attributes can be read (an SDK span): whether it was marked failed,
// and with what message.
func spanErrorState(span trace.Span) (errored bool, msg string) {
	ro, ok := span.(interface{ Attributes() []attribute.KeyValue })
	if !ok {
		return false, ""
	}
	for _, kv := range ro.Attributes() {
		switch kv.Key {
		case semconv.ObservationLevel:
			errored = kv.Value.AsString() == semconv.LevelError
		case semconv.ObservationStatusMessage:
			msg = kv.Value.AsString()
		}
	}
	return errored, msg
}

// recordBuf is a record and its attribute space in one allocation.
type recordBuf struct {
	Record
	kv [2]attribute.KeyValue
}

// attrs returns r's attribute space, empty, or nil when it has none.
func (r *Record) attrs() []attribute.KeyValue {
	if r.buf == nil {
		return nil
	}
	return r.buf[:0]
}

// names returns the names of the arguments of r's call, nil for none.
func (r *Record) names() []string {
	if r.argNames == nil {
		return nil
	}
	return *r.argNames
}

// keep is what an observation keeps of one side, its input or its
// output: nothing, what is given to it explicitly (WithInput,
// WithOutput), or that and what the observed call itself takes or returns.
// It is decided once, as the observation starts.
type keep uint8

const (
	keepNone  keep = iota // dropped, even when given
	keepGiven             // recorded when given explicitly
	keepAll               // the call's arguments or result too
)

// allIf is keepAll when the call's own side is captured, else
// keepGiven.
func allIf(auto bool) keep {
	if auto {
		return keepAll
	}
	return keepGiven
}

// Noop is the record of observations that record nothing.
var Noop = &Record{span: noop.Span{}, typ: tSpan}

// Live reports whether r belongs to a client: false for nil and Noop.
func (r *Record) Live() bool { return r != nil && r.client != nil }

// Owned reports whether the public End ends r.
func (r *Record) Owned() bool { return r.Live() && !r.managed }

// Span returns r's OpenTelemetry span, never nil.
func (r *Record) Span() trace.Span {
	if r == nil {
		return noop.Span{}
	}
	return r.span
}

// Type returns r's observation type.
func (r *Record) Type() string {
	if r == nil {
		return tSpan.String()
	}
	return r.typ.String()
}

// Client returns the client r records with, nil for the no-op record.
func (r *Record) Client() *global.State {
	if r == nil {
		return nil
	}
	return r.client
}

// Prop returns the attributes propagated in the context r started in.
func (r *Record) Prop() *propctx.Set {
	if r == nil || r.parent == nil {
		return nil
	}
	return propctx.FromContext(r.parent)
}

// IsRecording reports whether r records what it is given.
func (r *Record) IsRecording() bool { return r.Live() && (r.recording || r.span.IsRecording()) }

// CapturesOutput reports whether the result of a call that returned is
// recorded as r's output when r ends.
func (r *Record) CapturesOutput() bool { return r.out == keepAll && r.IsRecording() }

// plan is what a start decided beyond the settings: what the record
// keeps of its input and output, who ends it, and how its span starts.
type plan struct {
	in, out  keep
	managed  bool
	argNames *[]string // the names of the call's arguments, nil for none
	kind     trace.SpanKind
	traceID  string    // start in this trace, as its root, unless ctx holds a span
	at       time.Time // start time, when not now
	// typeAtStart, when not nil, gives the span its type as it starts
	// (a wrapper's, built once), so that no SetAttributes is needed then.
	typeAtStart []trace.SpanStartOption
}

// Start starts an observation named name under ctx for the client st, as
// a child of the span current in ctx, with s applied, and returns a
// context in which it is current. The caller ends it with End.
func Start(ctx context.Context, st *global.State, name string, s *Settings) (context.Context, *Record) {
	p := explicitPlan(st, s)
	return start(ctx, st, name, s, resolveType(st, s), &p, nil)
}

// explicitPlan is how an observation started by hand records: an input
// or output given to it always, unless its options switch capture off;
// with ObeyCaptureSwitches, as the capture switch of the client says.
func explicitPlan(st *global.State, s *Settings) plan {
	in, out := keepGiven, keepGiven
	if s.has(FObeySwitches) && !st.CaptureIO {
		in, out = keepNone, keepNone
	}
	if s.has(FCaptureIn) {
		in = givenIf(s.captureIn)
	}
	if s.has(FCaptureOut) {
		out = givenIf(s.captureOut)
	}
	return plan{in: in, out: out, argNames: namesOf(s)}
}

// namesOf returns a copy of the argument names s gives, nil for none: s
// belongs to the caller, and the record keeps them.
func namesOf(s *Settings) *[]string {
	if !s.has(FArgNames) {
		return nil
	}
	names := s.argNames
	return &names
}

// givenIf is keepGiven when on, else keepNone.
func givenIf(on bool) keep {
	if on {
		return keepGiven
	}
	return keepNone
}

// Event records an observation of type event under ctx: a point in time,
// ended at the time it started, as the official SDKs record events.
func Event(ctx context.Context, st *global.State, name string, s *Settings) *Record {
	s.typ, s.set = semconv.TypeEvent, s.set|FType
	p := explicitPlan(st, s)
	p.at = time.Now()
	_, r := start(ctx, st, name, s, tEvent, &p, nil)
	r.End(nil, Ending{At: p.at})
	return r
}

// start starts a record; s is only read, so a wrapper's settings are
// shared between calls. args, the call's arguments, are kept apart from p:
// escape analysis does not tell a struct's fields apart, and args must not
// leave the caller's stack because another field of p does. They are
// recorded as the input when p captures the call's input.
func start(ctx context.Context, st *global.State, name string, s *Settings, typ obsType, p *plan, args []any) (context.Context, *Record) {
	if ctx == nil {
		ctx = context.Background()
	}
	asRoot := false
	switch {
	case s.has(FTraceContext):
		ctx, asRoot = withRemoteParent(ctx, st, s.traceID, s.parentSpanID)
	case p.traceID != "" && !trace.SpanContextFromContext(ctx).IsValid():
		ctx, asRoot = withRemoteParent(ctx, st, p.traceID, "")
	}
	if st != global.Load() {
		global.NoteSecondClient()
	}
	var span trace.Span
	typed := typ != tSpan // the type is still to be written
	switch {
	case p.kind != trace.SpanKindUnspecified || !p.at.IsZero() || asRoot:
		ctx, span = st.Tracer.Start(ctx, name, startOptions(p, asRoot)...)
	case typed && p.typeAtStart != nil:
		ctx, span = st.Tracer.Start(ctx, name, p.typeAtStart...)
		typed = false
	default:
		ctx, span = st.Tracer.Start(ctx, name)
	}
	withArgs := len(args) > 0 && p.in == keepAll
	writes := withArgs || typed || s.writes()
	// Only a record that writes asks whether its span records.
	recording := (writes || p.out == keepAll) && span.IsRecording()
	// Attribute space is allocated with the record when it will write
	// attributes in one go: arguments and the result of a call, or a type
	// and settings at start. The fields are set in the literal that
	// allocates the record, which needs no write barrier.
	var r *Record
	if recording {
		rb := &recordBuf{Record: Record{parent: ctx, span: span, client: st, argNames: p.argNames,
			typ: typ, in: p.in, out: p.out, managed: p.managed, recording: p.managed}}
		rb.buf = &rb.kv
		r = &rb.Record
	} else {
		r = &Record{parent: ctx, span: span, client: st, argNames: p.argNames,
			typ: typ, in: p.in, out: p.out, managed: p.managed}
	}
	if !writes || !recording {
		return r, r // nothing to write, or nobody to write it to
	}
	kvs := r.attrs()
	if typed {
		kvs = append(kvs, typeAttr(typ))
	}
	if withArgs {
		copts := captureOptions(st)
		kvs = append(kvs, attribute.String(semconv.ObservationInput,
			capture.String(inputOf(args, r.names(), copts), copts)))
		if p.managed && len(kvs) == 1 && !s.writes() {
			// The arguments are captured now, as they are, but written
			// as the call ends, with its output: one SetAttributes, not
			// two. End writes them, however the record ends.
			r.bits.Store(inPending)
			return r, r
		}
	}
	if p.managed && len(kvs) == 0 && s.set&^startOnly == FInput && p.in != keepNone {
		// The input Run was given is, like a wrapper's arguments, written
		// with the output as the call ends, unless an input given
		// meanwhile takes its place.
		r.buf[0] = attribute.String(semconv.ObservationInput, capture.String(s.input, captureOptions(st)))
		r.bits.Store(inPending)
		return r, r
	}
	if s.writes() {
		r.apply(s, kvs)
	} else if len(kvs) > 0 {
		span.SetAttributes(kvs...)
	}
	return r, r
}

// startOptions are the span start options of a start that needs any,
// the as_root mark among them: the parent of such a span is made up, and
// the trace is new. (The sampler knows such a parent by the mark that
// withRemoteParent puts in ctx, not by this attribute.)
func startOptions(p *plan, asRoot bool) []trace.SpanStartOption {
	var opts []trace.SpanStartOption
	if p.kind != trace.SpanKindUnspecified {
		opts = append(opts, trace.WithSpanKind(p.kind))
	}
	if !p.at.IsZero() {
		opts = append(opts, trace.WithTimestamp(p.at))
	}
	if asRoot {
		opts = append(opts, trace.WithAttributes(attribute.Bool(semconv.AsRoot, true)))
	}
	return opts
}

// Update applies s to r. Options that only apply at start are ignored.
func (r *Record) Update(s *Settings) {
	if r.Live() && s.writes() {
		r.apply(s, nil)
	}
}
