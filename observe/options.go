package observe

import (
	"time"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/prompt"
)

// Option sets a property of an observation. The same options apply when an
// observation starts, in Update and End, and on the wrappers and Run of the
// langfuse package; an option that makes no sense at that point (AsType in
// Update, a model on a span) is ignored and never changes the type.
//
// An Option is a small value: building one allocates nothing beyond what
// boxing its argument in an interface costs, so options given to an
// observation that records nothing cost next to nothing. Options are
// values that can be kept and shared, such as a wrapper's in a
// package-level var, and are safe for concurrent use. The zero Option
// does nothing.
type Option struct {
	// o is the option itself. Nothing else may be added: the wrappers of
	// package langfuse read a []Option as the core options it holds
	// (core.Options), which TestOptionLayout pins.
	o core.Option
}

// opt makes the Option that sets field f to the values given.
func opt(f core.Field, a any, s1, s2 string, n int) Option {
	return Option{core.Option{Field: f, A: a, S1: s1, S2: s2, N: n}}
}

// resolve applies opts in order, as every function of this package that
// takes options does.
func resolve(opts []Option) core.Settings { return core.Resolve(core.Options(opts)) }

// AsType sets the observation's type when it starts. It has no effect in
// Update or End: an observation is never retyped.
func AsType(t Type) Option {
	return opt(core.FType, nil, string(t), "", 0)
}

// WithInput records v as the observation's input: a string as it is,
// anything else as JSON text (see package capture for the limits).
func WithInput(v any) Option {
	return opt(core.FInput, v, "", "", 0)
}

// WithArgs records a function's arguments as the input: one argument as
// itself, several as a JSON array in order, or as a JSON object keyed by
// the names given with ArgNames when the observation started.
func WithArgs(args ...any) Option {
	return opt(core.FArgs, args, "", "", 0)
}

// WithOutput records v as the observation's output, encoded as WithInput
// encodes its value.
func WithOutput(v any) Option {
	return opt(core.FOutput, v, "", "", 0)
}

// WithMetadata adds m to the observation's metadata, one level deep:
// strings, integers and booleans as they are, other values as JSON text.
// Keys given again in a later call replace the earlier values.
func WithMetadata(m map[string]any) Option {
	return opt(core.FMetadata, m, "", "", 0)
}

// WithLevel sets the observation's level. LevelError also sets the span's
// OpenTelemetry status to Error; other levels leave the status alone.
func WithLevel(l Level) Option {
	return opt(core.FLevel, nil, string(l), "", 0)
}

// WithStatusMessage sets the message that explains the level, such as the
// error text.
func WithStatusMessage(msg string) Option {
	return opt(core.FStatus, nil, msg, "", 0)
}

// WithVersion sets the version of the code or prompt that produced the
// observation.
func WithVersion(v string) Option {
	return opt(core.FVersion, nil, v, "", 0)
}

// WithModel sets the model name. Generation-like types only (generation,
// embedding); ignored on other types.
func WithModel(name string) Option {
	return opt(core.FModel, nil, name, "", 0)
}

// WithModelParameters records the model parameters (temperature, max
// tokens...) as a JSON object. Generation-like types only.
func WithModelParameters(m map[string]any) Option {
	return opt(core.FModelParams, m, "", "", 0)
}

// WithUsage records token counts such as "input", "output" and "total".
// Negative counts are dropped with a warning, as the server would drop
// them. Generation-like types only.
func WithUsage(u map[string]int) Option {
	return opt(core.FUsage, u, "", "", 0)
}

// WithCost records the cost of the call by usage type, such as "input",
// "output" and "total". Generation-like types only.
func WithCost(c map[string]float64) Option {
	return opt(core.FCost, c, "", "", 0)
}

// WithCompletionStartTime records when the model began to answer, for
// time-to-first-token. Generation-like types only.
func WithCompletionStartTime(t time.Time) Option {
	return opt(core.FCompletionStart, t, "", "", 0)
}

// WithPrompt links the observation to version version of the Langfuse
// prompt called name. Generation only; an empty name or a version below 1
// is ignored, because the server drops a generation with half a prompt.
func WithPrompt(name string, version int) Option {
	return opt(core.FPrompt, nil, name, "", version)
}

// FromPrompt links a generation to the Langfuse prompt version p, as
// WithPrompt(p.Name, p.Version) does, so Langfuse shows its cost and
// quality per prompt version. A nil p, or a fallback (p.IsFallback), which
// is no version of Langfuse's, links nothing.
func FromPrompt(p *prompt.Prompt) Option {
	if p == nil || p.IsFallback {
		return Option{}
	}
	return opt(core.FPrompt, nil, p.Name, "", p.Version)
}

// WithTraceContext starts the observation in an existing trace: traceID is
// 32 hex digits, parentSpanID 16 hex digits or "" to make the observation
// the root of that trace. A malformed id is ignored with a warning. It
// applies at start only.
func WithTraceContext(traceID, parentSpanID string) Option {
	return opt(core.FTraceContext, nil, traceID, parentSpanID, 0)
}

// CaptureInput turns capture of the input on or off for this observation
// or wrapper. On a wrapper it wins over
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED.
func CaptureInput(on bool) Option {
	return opt(core.FCaptureIn, nil, "", "", core.Bool(on))
}

// CaptureOutput turns capture of the output on or off for this
// observation or wrapper. On a wrapper it wins over
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED.
func CaptureOutput(on bool) Option {
	return opt(core.FCaptureOut, nil, "", "", core.Bool(on))
}

// ObeyCaptureSwitches marks the input and output of an observation started by
// hand as captured automatically, the way a wrapper captures its
// arguments and result: they are recorded only when
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED is on (the default),
// unless CaptureInput or CaptureOutput says otherwise. Instrumentation
// that records the traffic passing through it, such as the transports of
// the integrations module, starts its observations with it. It applies at
// start only.
func ObeyCaptureSwitches() Option {
	return opt(core.FObeySwitches, nil, "", "", 0)
}

// ArgNames names a wrapped function's arguments, after the context, so
// that the input is captured as a JSON object instead of an array. Extra
// arguments without a name are keyed by position ("arg3").
func ArgNames(names ...string) Option {
	return opt(core.FArgNames, names, "", "", 0)
}

// TransformOutput turns the items of an observed sequence into the output
// that is recorded when the sequence ends.
func TransformOutput(f func(items []any) any) Option {
	return opt(core.FTransform, f, "", "", 0)
}
