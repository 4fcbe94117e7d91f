package observe

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// Option sets a property of an observation. The same options apply when an
// observation starts, in Update and End, and on the wrappers of the
// langfuse package; an option that makes no sense at that point (AsType in
// Update, a model on a span) is ignored and never changes the type.
type Option interface {
	apply(*options)
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// field bits: which fields of options were given.
type field uint32

const (
	fType field = 1 << iota
	fInput
	fOutput
	fArgs
	fMetadata
	fLevel
	fStatus
	fVersion
	fModel
	fModelParams
	fUsage
	fCost
	fCompletionStart
	fPrompt
	fTraceContext
	fCaptureIn
	fCaptureOut
	fArgNames
	fTransform
)

// generationOnly are the fields that only generation-like types carry.
const generationOnly = fModel | fModelParams | fUsage | fCost | fCompletionStart | fPrompt

// options is the resolved form of a list of Option values.
type options struct {
	set             field
	typ             Type
	input, output   any
	args            []any
	metadata        map[string]any
	level           Level
	statusMessage   string
	version         string
	model           string
	modelParams     map[string]any
	usage           map[string]int
	cost            map[string]float64
	completionStart time.Time
	promptName      string
	promptVersion   int
	traceID         string
	parentSpanID    string
	captureIn       bool
	captureOut      bool
	argNames        []string
	transform       func([]any) any
	// typeKV is the resolved type's attribute, set once by NewWrapper.
	typeKV      []attribute.KeyValue
	readBaggage bool // ReadBaggage; no field bit, as it writes no attribute
}

func (o *options) has(f field) bool { return o.set&f != 0 }

func (s field) has(f field) bool { return s&f != 0 }

func resolve(opts []Option) options {
	if len(opts) == 0 {
		return options{} // no options, no allocation
	}
	return resolveSlow(opts)
}

// resolveSlow applies opts. Its options value escapes (each apply is a
// dynamic call), so it is kept out of resolve's fast path.
func resolveSlow(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	return o
}

// AsType sets the observation's type when it starts. It has no effect in
// Update or End: an observation is never retyped.
func AsType(t Type) Option {
	return optionFunc(func(o *options) { o.typ, o.set = t, o.set|fType })
}

// WithInput records v as the observation's input: a string as it is,
// anything else as JSON text (see package capture for the limits).
func WithInput(v any) Option {
	return optionFunc(func(o *options) { o.input, o.set = v, o.set|fInput })
}

// WithArgs records a function's arguments as the input: one argument as
// itself, several as a JSON array in order, or as a JSON object keyed by
// the names given with ArgNames when the observation started.
func WithArgs(args ...any) Option {
	return optionFunc(func(o *options) { o.args, o.set = args, o.set|fArgs })
}

// WithOutput records v as the observation's output, encoded as WithInput
// encodes its value.
func WithOutput(v any) Option {
	return optionFunc(func(o *options) { o.output, o.set = v, o.set|fOutput })
}

// WithMetadata adds m to the observation's metadata, one level deep:
// strings, integers and booleans as they are, other values as JSON text.
// Keys given again in a later call replace the earlier values.
func WithMetadata(m map[string]any) Option {
	return optionFunc(func(o *options) {
		if o.metadata == nil {
			o.metadata = make(map[string]any, len(m))
		}
		for k, v := range m {
			o.metadata[k] = v
		}
		o.set |= fMetadata
	})
}

// WithLevel sets the observation's level. LevelError also sets the span's
// OpenTelemetry status to Error; other levels leave the status alone.
func WithLevel(l Level) Option {
	return optionFunc(func(o *options) { o.level, o.set = l, o.set|fLevel })
}

// WithStatusMessage sets the message that explains the level, such as the
// error text.
func WithStatusMessage(msg string) Option {
	return optionFunc(func(o *options) { o.statusMessage, o.set = msg, o.set|fStatus })
}

// WithVersion sets the version of the code or prompt that produced the
// observation.
func WithVersion(v string) Option {
	return optionFunc(func(o *options) { o.version, o.set = v, o.set|fVersion })
}

// WithModel sets the model name. Generation-like types only (generation,
// embedding); ignored on other types.
func WithModel(name string) Option {
	return optionFunc(func(o *options) { o.model, o.set = name, o.set|fModel })
}

// WithModelParameters records the model parameters (temperature, max
// tokens...) as a JSON object. Generation-like types only.
func WithModelParameters(m map[string]any) Option {
	return optionFunc(func(o *options) { o.modelParams, o.set = m, o.set|fModelParams })
}

// WithUsage records token counts such as "input", "output" and "total".
// Negative counts are dropped with a warning, as the server would drop
// them. Generation-like types only.
func WithUsage(u map[string]int) Option {
	return optionFunc(func(o *options) { o.usage, o.set = u, o.set|fUsage })
}

// WithCost records the cost of the call by usage type, such as "input",
// "output" and "total". Generation-like types only.
func WithCost(c map[string]float64) Option {
	return optionFunc(func(o *options) { o.cost, o.set = c, o.set|fCost })
}

// WithCompletionStartTime records when the model began to answer, for
// time-to-first-token. Generation-like types only.
func WithCompletionStartTime(t time.Time) Option {
	return optionFunc(func(o *options) { o.completionStart, o.set = t, o.set|fCompletionStart })
}

// WithPrompt links the observation to version version of the Langfuse
// prompt called name. Generation only; an empty name or a version below 1
// is ignored, because the server drops a generation with half a prompt.
func WithPrompt(name string, version int) Option {
	return optionFunc(func(o *options) {
		o.promptName, o.promptVersion, o.set = name, version, o.set|fPrompt
	})
}

// WithTraceContext starts the observation in an existing trace: traceID is
// 32 hex digits, parentSpanID 16 hex digits or "" to make the observation
// the root of that trace. A malformed id is ignored with a warning. It
// applies at start only.
func WithTraceContext(traceID, parentSpanID string) Option {
	return optionFunc(func(o *options) {
		o.traceID, o.parentSpanID, o.set = traceID, parentSpanID, o.set|fTraceContext
	})
}

// CaptureInput turns capture of the input on or off for this observation
// or wrapper. On a wrapper it wins over
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED.
func CaptureInput(on bool) Option {
	return optionFunc(func(o *options) { o.captureIn, o.set = on, o.set|fCaptureIn })
}

// CaptureOutput turns capture of the output on or off for this
// observation or wrapper. On a wrapper it wins over
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED.
func CaptureOutput(on bool) Option {
	return optionFunc(func(o *options) { o.captureOut, o.set = on, o.set|fCaptureOut })
}

// ArgNames names a wrapped function's arguments, after the context, so
// that the input is captured as a JSON object instead of an array. Extra
// arguments without a name are keyed by position ("arg3").
func ArgNames(names ...string) Option {
	return optionFunc(func(o *options) { o.argNames, o.set = names, o.set|fArgNames })
}

// TransformOutput turns the items of an observed sequence into the output
// that is recorded when the sequence ends.
func TransformOutput(f func(items []any) any) Option {
	return optionFunc(func(o *options) { o.transform, o.set = f, o.set|fTransform })
}
