package langfuse

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/observe"
)

// ObserveCtx returns fn observed: each call is an observation named name
// (the function's own name when name is ""), a child of the observation
// in the caller's ctx, and fn gets a ctx in which the new observation is
// current. The result is the output; an error is recorded with level
// ERROR and returned unchanged; a panic is recorded and goes on with the
// same value. Options apply to every call (observe.AsType,
// observe.CaptureOutput, observe.WithMetadata...).
//
// Calls are recorded by the client bound to their ctx (Client.Context),
// else by the default client; with neither, fn is called directly.
func ObserveCtx[R any](name string, fn func(context.Context) (R, error), opts ...observe.Option) func(context.Context) (R, error) {
	sp := newSpec(name, fn, opts)
	return func(ctx context.Context) (R, error) {
		st := core.ClientFrom(ctx)
		switch {
		case st == nil:
			return fn(ctx)
		case sp.Lean(st, false):
			return lean(ctx, st, sp, fn)
		}
		ctx, r := sp.Begin(ctx, st)
		return call(r, func() (R, error) { return fn(ctx) })
	}
}

// Observe1 is ObserveCtx for a function of one argument after ctx, which
// is captured as the input.
func Observe1[A, R any](name string, fn func(context.Context, A) (R, error), opts ...observe.Option) func(context.Context, A) (R, error) {
	sp := newSpec(name, fn, opts)
	return func(ctx context.Context, a A) (R, error) {
		st := core.ClientFrom(ctx)
		switch {
		case st == nil:
			return fn(ctx, a)
		case sp.Lean(st, true):
			return lean(ctx, st, sp, func(ctx context.Context) (R, error) { return fn(ctx, a) })
		}
		var r *core.Record
		if sp.CaptureInput(st) {
			ctx, r = sp.Begin(ctx, st, a)
		} else {
			ctx, r = sp.Begin(ctx, st)
		}
		return call(r, func() (R, error) { return fn(ctx, a) })
	}
}

// Observe2 is ObserveCtx for a function of two arguments after ctx, which
// are captured as a JSON array, or an object with observe.ArgNames.
func Observe2[A, B, R any](name string, fn func(context.Context, A, B) (R, error), opts ...observe.Option) func(context.Context, A, B) (R, error) {
	sp := newSpec(name, fn, opts)
	return func(ctx context.Context, a A, b B) (R, error) {
		st := core.ClientFrom(ctx)
		switch {
		case st == nil:
			return fn(ctx, a, b)
		case sp.Lean(st, true):
			return lean(ctx, st, sp, func(ctx context.Context) (R, error) { return fn(ctx, a, b) })
		}
		var r *core.Record
		if sp.CaptureInput(st) {
			ctx, r = sp.Begin(ctx, st, a, b)
		} else {
			ctx, r = sp.Begin(ctx, st)
		}
		return call(r, func() (R, error) { return fn(ctx, a, b) })
	}
}

// Observe3 is ObserveCtx for a function of three arguments after ctx,
// captured as Observe2 captures two.
func Observe3[A, B, C, R any](name string, fn func(context.Context, A, B, C) (R, error), opts ...observe.Option) func(context.Context, A, B, C) (R, error) {
	sp := newSpec(name, fn, opts)
	return func(ctx context.Context, a A, b B, c C) (R, error) {
		st := core.ClientFrom(ctx)
		switch {
		case st == nil:
			return fn(ctx, a, b, c)
		case sp.Lean(st, true):
			return lean(ctx, st, sp, func(ctx context.Context) (R, error) { return fn(ctx, a, b, c) })
		}
		var r *core.Record
		if sp.CaptureInput(st) {
			ctx, r = sp.Begin(ctx, st, a, b, c)
		} else {
			ctx, r = sp.Begin(ctx, st)
		}
		return call(r, func() (R, error) { return fn(ctx, a, b, c) })
	}
}

// ObserveErr is ObserveCtx for a function that returns only an error; it
// records no output.
func ObserveErr(name string, fn func(context.Context) error, opts ...observe.Option) func(context.Context) error {
	sp := newSpec(name, fn, append(slices.Clip(opts), observe.CaptureOutput(false)))
	return func(ctx context.Context) error {
		st := core.ClientFrom(ctx)
		switch {
		case st == nil:
			return fn(ctx)
		case sp.Lean(st, false):
			_, err := lean(ctx, st, sp, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
			return err
		}
		ctx, r := sp.Begin(ctx, st)
		_, err := call(r, func() (struct{}, error) { return struct{}{}, fn(ctx) })
		return err
	}
}

// ObserveErr1 is ObserveErr for a function of one argument after ctx, the
// shape of jobs and message handlers: the argument is captured as the
// input, no output is recorded, and the error is returned unchanged.
func ObserveErr1[A any](name string, fn func(context.Context, A) error, opts ...observe.Option) func(context.Context, A) error {
	sp := newSpec(name, fn, append(slices.Clip(opts), observe.CaptureOutput(false)))
	return func(ctx context.Context, a A) error {
		st := core.ClientFrom(ctx)
		switch {
		case st == nil:
			return fn(ctx, a)
		case sp.Lean(st, true):
			_, err := lean(ctx, st, sp, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx, a) })
			return err
		}
		var r *core.Record
		if sp.CaptureInput(st) {
			ctx, r = sp.Begin(ctx, st, a)
		} else {
			ctx, r = sp.Begin(ctx, st)
		}
		_, err := call(r, func() (struct{}, error) { return struct{}{}, fn(ctx, a) })
		return err
	}
}

// newSpec resolves a wrapper's options once, naming it after fn when name
// is empty. A closure has no name worth showing ("main.func4"), so an
// empty name for one is a mistake, reported at once, where the wrapper is
// made, rather than as observations no one can tell apart.
func newSpec(name string, fn any, opts []observe.Option) *core.Spec {
	if name == "" {
		name = funcName(fn)
		if isClosureName(name) {
			panic("langfuse: a wrapper with an empty name is named after its function, but " + name +
				" is a closure without a name of its own: pass a name")
		}
	}
	return core.NewSpec(name, core.Options(opts))
}

// isClosureName reports whether a short function name is a closure's:
// "main.func4", "init.func1", "Handler.func2.1".
func isClosureName(name string) bool {
	for i := 0; ; {
		j := strings.Index(name[i:], "func")
		if j < 0 {
			return false
		}
		i += j + len("func")
		if i < len(name) && name[i] >= '0' && name[i] <= '9' && (i == len("func") || name[i-len("func")-1] == '.') {
			return true
		}
	}
}

// funcName is the short name of fn: "handle", "(*Agent).Run", "main.func1".
func funcName(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "anonymous"
	}
	return shortFuncName(runtime.FuncForPC(v.Pointer()))
}

// callerName is the short name of the function that called the caller of
// callerName, or "anonymous".
func callerName() string {
	var pc [1]uintptr
	if runtime.Callers(3, pc[:]) < 1 {
		return "anonymous"
	}
	return shortFuncName(runtime.FuncForPC(pc[0]))
}

// shortFuncName drops the package path of f's name.
func shortFuncName(f *runtime.Func) string {
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
