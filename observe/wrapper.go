package observe

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/global"
)

// Wrapper observes every call of one function: its options are resolved
// once, when the Wrapper is made, and each call only starts and ends an
// observation. The generic wrappers of the langfuse package are built on
// it; use it to observe functions of other shapes.
//
// A Wrapper reads the default client on every call, so one made before the
// client is set up starts recording once it is. It is safe for concurrent
// use.
type Wrapper struct {
	name string
	op   options
	// captureIn and captureOut are 0 when unset: the client decides.
	captureIn, captureOut tri
}

type tri uint8

const (
	triUnset tri = iota
	triOn
	triOff
)

func triOf(set bool, on bool) tri {
	switch {
	case !set:
		return triUnset
	case on:
		return triOn
	default:
		return triOff
	}
}

func (t tri) or(def bool) bool {
	if t == triUnset {
		return def
	}
	return t == triOn
}

// NewWrapper resolves opts for observations named name.
func NewWrapper(name string, opts ...Option) *Wrapper {
	w := &Wrapper{name: name, op: resolve(opts)}
	w.captureIn = triOf(w.op.has(fCaptureIn), w.op.captureIn)
	w.captureOut = triOf(w.op.has(fCaptureOut), w.op.captureOut)
	// Capture is decided per call; per-call input comes with Start.
	w.op.set &^= fCaptureIn | fCaptureOut | fInput | fOutput | fArgs | fTraceContext
	w.op.typ, w.op.typeKV = w.op.resolvedType()
	return w
}

// Name returns the name of the observations the wrapper starts.
func (w *Wrapper) Name() string { return w.name }

// Enabled reports whether calls are observed now: a client is set up and
// tracing is on. When it is false, call the function directly.
func (w *Wrapper) Enabled() bool { return global.Load() != nil }

// CaptureInput reports whether calls capture their input now: the
// wrapper's CaptureInput option, else the client's setting.
func (w *Wrapper) CaptureInput() bool {
	st := global.Load()
	return st != nil && w.captureIn.or(st.CaptureIO)
}

// CaptureOutput reports whether calls capture their output now.
func (w *Wrapper) CaptureOutput() bool {
	st := global.Load()
	return st != nil && w.captureOut.or(st.CaptureIO)
}

// Start starts the observation of one call as a child of the observation
// current in ctx, with args as its input (see WithArgs) when input capture
// is on, and returns a context in which it is current.
func (w *Wrapper) Start(ctx context.Context, args ...any) (context.Context, *Observation) {
	st := global.Load()
	if st == nil {
		if ctx == nil {
			ctx = context.Background()
		}
		return ctx, noopObservation
	}
	return start(ctx, st, w.name, &w.op, args, captureDefault{
		in:      w.captureIn.or(st.CaptureIO),
		out:     w.captureOut.or(st.CaptureIO),
		wrapped: true,
	})
}

// End ends o as a call that returned output and err: with err, level
// ERROR and the error's text; without, output as the output when output
// capture is on.
func (w *Wrapper) End(o *Observation, output any, err error) {
	if !o.live() {
		return
	}
	if err != nil {
		o.RecordError(err)
	} else if o.captureOut && o.span.IsRecording() {
		op := options{output: output, set: fOutput}
		var kvs []attribute.KeyValue
		if o.buf != nil {
			kvs = o.buf[:0] // start is done with it and the call is over
		}
		o.apply(&op, kvs)
	}
	o.End()
}

// EndPanic ends o as a call that panicked with value r: level ERROR,
// status message "panic: r" and an exception event with the stack. The
// caller re-panics with r.
func (w *Wrapper) EndPanic(o *Observation, r any) {
	if !o.live() {
		return
	}
	msg := o.setError("panic: " + safeSprint(r))
	o.span.RecordError(panicError(msg), trace.WithStackTrace(true))
	o.End()
}

// panicError carries a panic's text to RecordError.
type panicError string

func (e panicError) Error() string { return string(e) }

// safeSprint formats v, containing a panic in its String or Error method.
func safeSprint(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("<%T: panic while formatting>", v)
		}
	}()
	return fmt.Sprint(v)
}

// ItemsOutput returns what an observed sequence of items records as its
// output: the result of the TransformOutput function when one was given,
// else the concatenation when there are items and every one is a string,
// else the items (an empty JSON array when there are none). A
// panic in the transform is contained: the output is then a placeholder
// naming it.
func (w *Wrapper) ItemsOutput(items []any) (out any) {
	if w.op.has(fTransform) && w.op.transform != nil {
		defer func() {
			if r := recover(); r != nil {
				out = "<panic in TransformOutput: " + safeSprint(r) + ">"
			}
		}()
		return w.op.transform(items)
	}
	if len(items) == 0 {
		return []any{}
	}
	n := 0
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return items
		}
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, it := range items {
		b.WriteString(it.(string))
	}
	return b.String()
}

// Type returns the type of the observations the wrapper starts.
func (w *Wrapper) Type() Type {
	if w.op.has(fType) && w.op.typ.Valid() {
		return w.op.typ
	}
	return TypeSpan
}
