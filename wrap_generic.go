package langfuse

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/observe-go/langfuse/observe"
)

// ObserveCtx returns fn observed: each call is an observation named name
// (the function's own name when name is ""), a child of the observation
// in the caller's ctx, and fn gets a ctx in which the new observation is
// current. The result is the output; an error is recorded with level
// ERROR and returned unchanged; a panic is recorded and goes on with the
// same value. Options apply to every call (observe.AsType,
// observe.CaptureOutput, observe.WithMetadata...).
func ObserveCtx[R any](name string, fn func(context.Context) (R, error), opts ...observe.Option) func(context.Context) (R, error) {
	w := newWrapper(name, fn, opts)
	return func(ctx context.Context) (R, error) {
		if !w.Enabled() {
			return fn(ctx)
		}
		ctx, c := w.Begin(ctx)
		return call(w, c, func() (R, error) { return fn(ctx) })
	}
}

// Observe1 is ObserveCtx for a function of one argument after ctx, which
// is captured as the input.
func Observe1[A, R any](name string, fn func(context.Context, A) (R, error), opts ...observe.Option) func(context.Context, A) (R, error) {
	w := newWrapper(name, fn, opts)
	return func(ctx context.Context, a A) (R, error) {
		if !w.Enabled() {
			return fn(ctx, a)
		}
		var c observe.Call
		if w.CaptureInput() {
			ctx, c = w.Begin(ctx, a)
		} else {
			ctx, c = w.Begin(ctx)
		}
		return call(w, c, func() (R, error) { return fn(ctx, a) })
	}
}

// Observe2 is ObserveCtx for a function of two arguments after ctx, which
// are captured as a JSON array, or an object with observe.ArgNames.
func Observe2[A, B, R any](name string, fn func(context.Context, A, B) (R, error), opts ...observe.Option) func(context.Context, A, B) (R, error) {
	w := newWrapper(name, fn, opts)
	return func(ctx context.Context, a A, b B) (R, error) {
		if !w.Enabled() {
			return fn(ctx, a, b)
		}
		var c observe.Call
		if w.CaptureInput() {
			ctx, c = w.Begin(ctx, a, b)
		} else {
			ctx, c = w.Begin(ctx)
		}
		return call(w, c, func() (R, error) { return fn(ctx, a, b) })
	}
}

// Observe3 is ObserveCtx for a function of three arguments after ctx,
// captured as Observe2 captures two.
func Observe3[A, B, C, R any](name string, fn func(context.Context, A, B, C) (R, error), opts ...observe.Option) func(context.Context, A, B, C) (R, error) {
	w := newWrapper(name, fn, opts)
	return func(ctx context.Context, a A, b B, c C) (R, error) {
		if !w.Enabled() {
			return fn(ctx, a, b, c)
		}
		var oc observe.Call
		if w.CaptureInput() {
			ctx, oc = w.Begin(ctx, a, b, c)
		} else {
			ctx, oc = w.Begin(ctx)
		}
		return call(w, oc, func() (R, error) { return fn(ctx, a, b, c) })
	}
}

// ObserveErr is ObserveCtx for a function that returns only an error; it
// records no output.
func ObserveErr(name string, fn func(context.Context) error, opts ...observe.Option) func(context.Context) error {
	w := newWrapper(name, fn, append(slices.Clip(opts), observe.CaptureOutput(false)))
	return func(ctx context.Context) error {
		if !w.Enabled() {
			return fn(ctx)
		}
		ctx, c := w.Begin(ctx)
		_, err := call(w, c, func() (struct{}, error) { return struct{}{}, fn(ctx) })
		return err
	}
}

// call runs body, the wrapped call, as the observation o and ends o with
// its result. It is kept apart from the wrappers so that their disabled
// path carries no deferred function.
func call[R any](w *observe.Wrapper, c observe.Call, body func() (R, error)) (r R, err error) {
	done := false
	defer finish(w, c, &done, &r, &err)
	r, err = body()
	done = true
	return r, err
}

// finish ends the observation of one call. It is the deferred function
// itself, so its recover sees the wrapped function's panic, which it
// records and raises again unchanged. A call that neither returned nor
// panicked left through runtime.Goexit and is ended as it is.
func finish[R any](w *observe.Wrapper, c observe.Call, done *bool, r *R, err *error) {
	if !*done {
		if p := recover(); p != nil {
			w.FinishPanic(c, p)
			panic(p)
		}
		c.End() // left through runtime.Goexit: no result to record
		return
	}
	if *err == nil && w.CaptureOutput() {
		w.Finish(c, *r, nil)
		return
	}
	w.Finish(c, nil, *err)
}

// newWrapper resolves the wrapper's options once, naming it after fn when
// name is empty.
func newWrapper(name string, fn any, opts []observe.Option) *observe.Wrapper {
	if name == "" {
		name = funcName(fn)
	}
	return observe.NewWrapper(name, opts...)
}

// funcName is the short name of fn: "handle", "(*Agent).Run", "main.func1".
func funcName(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "anonymous"
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return "anonymous"
	}
	name := f.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '.'); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	return strings.TrimSuffix(name, "-fm")
}
