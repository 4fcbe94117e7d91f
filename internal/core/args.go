package core

import (
	"log/slog"
	"slices"
	"strconv"

	"github.com/observe-go/langfuse/capture"
)

// inputOf is argsValue for the arguments of one call. It never keeps args
// itself, so that the caller's variadic slice can stay on its stack.
func inputOf(args []any, names []string, opts capture.Options) any {
	if len(args) == 1 && len(names) == 0 {
		return args[0]
	}
	return argsValue(slices.Clone(args), names, opts)
}

// argsValue shapes a function's arguments as an input: one argument as
// itself, several as an array, or an object keyed by names when there are
// any.
func argsValue(args []any, names []string, opts capture.Options) any {
	if len(names) == 0 {
		if len(args) == 1 {
			return args[0]
		}
		return args
	}
	return namedArgs{names: names, args: args, mask: opts.Mask}
}

// namedArgs is a function's arguments as a JSON object whose keys keep the
// order of the parameters. It is a group of attributes to capture, which
// writes a group as an object: all of it within one limit, cut and
// counted as one value, and with the value of every name that holds a
// credential (apiKey, password, token, ...) redacted, as for the keys of
// a map. Each argument is masked on its own.
type namedArgs struct {
	names []string
	args  []any
	mask  func(any) any
}

func (n namedArgs) LogValue() slog.Value {
	attrs := make([]slog.Attr, len(n.args))
	for i, a := range n.args {
		name := "arg" + strconv.Itoa(i)
		if i < len(n.names) && n.names[i] != "" {
			name = n.names[i]
		}
		if n.mask != nil {
			a = maskArg(n.mask, a)
		}
		attrs[i] = slog.Attr{Key: name, Value: argValue(a)}
	}
	return slog.GroupValue(attrs...)
}

// float32Arg keeps a float32 a float32: slog.AnyValue would widen it to a
// float64, whose shortest text is another number (0.1 would read
// 0.10000000149011612).
type float32Arg float32

// argValue is slog.AnyValue, but for a float32.
func argValue(a any) slog.Value {
	if f, ok := a.(float32); ok {
		return slog.AnyValue(float32Arg(f))
	}
	return slog.AnyValue(a)
}

// maskArg applies mask to one argument. A panic in it gives the
// placeholder capture gives, never the argument: the mask may be all that
// keeps a secret out of the trace.
func maskArg(mask func(any) any, a any) (out any) {
	defer func() {
		if recover() != nil {
			out = capture.MaskFailed
		}
	}()
	return mask(a)
}
