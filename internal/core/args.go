package core

import (
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
	return namedArgs{names: names, args: args, opts: opts}
}

// namedArgs is a function's arguments as a JSON object whose keys keep the
// order of the parameters. Each value is encoded, and masked, on its own
// with capture's limits.
type namedArgs struct {
	names []string
	args  []any
	opts  capture.Options
}

func (n namedArgs) MarshalJSON() ([]byte, error) {
	var b []byte
	b = append(b, '{')
	for i, a := range n.args {
		if i > 0 {
			b = append(b, ',')
		}
		name := "arg" + strconv.Itoa(i)
		if i < len(n.names) && n.names[i] != "" {
			name = n.names[i]
		}
		b = append(b, capture.JSON(name, capture.Options{})...)
		b = append(b, ':')
		b = append(b, capture.JSON(a, n.opts)...)
	}
	return append(b, '}'), nil
}
