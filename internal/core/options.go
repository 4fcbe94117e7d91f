package core

import (
	"maps"
	"time"
)

// Option is one property of an observation, as package observe's option
// functions make it. It is a small value rather than an interface or a
// closure, so that building options allocates nothing beyond boxing the
// values they carry, and a call that records nothing pays next to nothing.
// The zero Option does nothing.
type Option struct {
	kind kind
	a    any
	s1   string
	s2   string
	n    int
}

type kind uint8

const (
	kNone kind = iota
	kType
	kInput
	kOutput
	kArgs
	kMetadata
	kLevel
	kStatus
	kVersion
	kModel
	kModelParams
	kUsage
	kCost
	kCompletionStart
	kPrompt
	kTraceContext
	kCaptureIn
	kCaptureOut
	kArgNames
	kTransform
	kReadBaggage
	kTraceIDHeader
	kAutoCapture
)

// field bits: which fields of Settings were given.
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
	fAutoCapture
)

// generationOnly are the fields that only generation-like types carry.
const generationOnly = fModel | fModelParams | fUsage | fCost | fCompletionStart | fPrompt

// startOnly are the fields that write no attribute themselves.
const startOnly = fType | fTraceContext | fCaptureIn | fCaptureOut | fArgNames | fTransform | fAutoCapture

func (f field) has(g field) bool { return f&g != 0 }

// Option constructors, one per option of package observe.

func AsType(t string) Option            { return Option{kind: kType, s1: t} }
func WithInput(v any) Option            { return Option{kind: kInput, a: v} }
func WithOutput(v any) Option           { return Option{kind: kOutput, a: v} }
func WithArgs(args []any) Option        { return Option{kind: kArgs, a: args} }
func WithLevel(l string) Option         { return Option{kind: kLevel, s1: l} }
func WithStatusMessage(m string) Option { return Option{kind: kStatus, s1: m} }
func WithVersion(v string) Option       { return Option{kind: kVersion, s1: v} }
func WithModel(name string) Option      { return Option{kind: kModel, s1: name} }
func WithCaptureInput(on bool) Option   { return Option{kind: kCaptureIn, n: b2i(on)} }
func WithCaptureOutput(on bool) Option  { return Option{kind: kCaptureOut, n: b2i(on)} }
func WithReadBaggage(on bool) Option    { return Option{kind: kReadBaggage, n: b2i(on)} }
func WithAutoCapture() Option           { return Option{kind: kAutoCapture} }
func WithTraceIDHeader(name string) Option {
	return Option{kind: kTraceIDHeader, s1: name}
}
func WithArgNames(names []string) Option {
	return Option{kind: kArgNames, a: names}
}
func WithTransform(f func([]any) any) Option { return Option{kind: kTransform, a: f} }
func WithMetadata(m map[string]any) Option   { return Option{kind: kMetadata, a: m} }
func WithModelParameters(m map[string]any) Option {
	return Option{kind: kModelParams, a: m}
}
func WithUsage(u map[string]int) Option      { return Option{kind: kUsage, a: u} }
func WithCost(c map[string]float64) Option   { return Option{kind: kCost, a: c} }
func WithCompletionStart(t time.Time) Option { return Option{kind: kCompletionStart, a: t} }
func WithPrompt(name string, version int) Option {
	return Option{kind: kPrompt, s1: name, n: version}
}
func WithTraceContext(traceID, parentSpanID string) Option {
	return Option{kind: kTraceContext, s1: traceID, s2: parentSpanID}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Settings is the resolved form of a list of options.
type Settings struct {
	set             field
	typ             string
	input, output   any
	args            []any
	metadata        map[string]any
	level           string
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
	readBaggage     bool
	traceIDHeader   string
	// ownMetadata is set once metadata is a map of our own, which later
	// options may add to; until then it is the caller's, read only.
	ownMetadata bool
}

func (s *Settings) has(f field) bool { return s.set&f != 0 }

// Resolve applies opts in order; later options win, metadata is merged.
func Resolve(opts []Option) Settings {
	var s Settings
	for i := range opts {
		s.apply(&opts[i])
	}
	return s
}

// SetType makes t the type the settings ask for, whatever they said.
func (s *Settings) SetType(t string) { s.typ, s.set = t, s.set|fType }

// Output returns the output an option list sets, and whether it sets one.
func (s *Settings) Output() (any, bool) { return s.output, s.has(fOutput) }

func (s *Settings) apply(o *Option) {
	switch o.kind {
	case kType:
		s.typ, s.set = o.s1, s.set|fType
	case kInput:
		s.input, s.set = o.a, s.set|fInput
	case kOutput:
		s.output, s.set = o.a, s.set|fOutput
	case kArgs:
		s.args, s.set = o.a.([]any), s.set|fArgs
	case kMetadata:
		m, _ := o.a.(map[string]any)
		switch {
		case len(m) == 0:
		case s.metadata == nil:
			s.metadata = m
		case !s.ownMetadata:
			merged := make(map[string]any, len(s.metadata)+len(m))
			maps.Copy(merged, s.metadata)
			maps.Copy(merged, m)
			s.metadata, s.ownMetadata = merged, true
		default:
			maps.Copy(s.metadata, m)
		}
		s.set |= fMetadata
	case kLevel:
		s.level, s.set = o.s1, s.set|fLevel
	case kStatus:
		s.statusMessage, s.set = o.s1, s.set|fStatus
	case kVersion:
		s.version, s.set = o.s1, s.set|fVersion
	case kModel:
		s.model, s.set = o.s1, s.set|fModel
	case kModelParams:
		s.modelParams, s.set = o.a.(map[string]any), s.set|fModelParams
	case kUsage:
		s.usage, s.set = o.a.(map[string]int), s.set|fUsage
	case kCost:
		s.cost, s.set = o.a.(map[string]float64), s.set|fCost
	case kCompletionStart:
		s.completionStart, s.set = o.a.(time.Time), s.set|fCompletionStart
	case kPrompt:
		s.promptName, s.promptVersion, s.set = o.s1, o.n, s.set|fPrompt
	case kTraceContext:
		s.traceID, s.parentSpanID, s.set = o.s1, o.s2, s.set|fTraceContext
	case kCaptureIn:
		s.captureIn, s.set = o.n != 0, s.set|fCaptureIn
	case kCaptureOut:
		s.captureOut, s.set = o.n != 0, s.set|fCaptureOut
	case kArgNames:
		s.argNames, s.set = o.a.([]string), s.set|fArgNames
	case kTransform:
		s.transform, s.set = o.a.(func([]any) any), s.set|fTransform
	case kReadBaggage:
		s.readBaggage = o.n != 0
	case kTraceIDHeader:
		s.traceIDHeader = o.s1
	case kAutoCapture:
		s.set |= fAutoCapture
	}
}

// own copies the maps and slices of s that came from the caller, so that
// settings kept past the call (a wrapper's) do not change when the
// caller's values do.
func (s *Settings) own() {
	if s.metadata != nil && !s.ownMetadata {
		s.metadata, s.ownMetadata = maps.Clone(s.metadata), true
	}
	s.modelParams = maps.Clone(s.modelParams)
	s.usage = maps.Clone(s.usage)
	s.cost = maps.Clone(s.cost)
	if s.argNames != nil {
		s.argNames = append([]string(nil), s.argNames...)
	}
}
