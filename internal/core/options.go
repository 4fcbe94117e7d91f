package core

import (
	"maps"
	"time"
	"unsafe"
)

// Option is one property of an observation: the Field it sets and that
// field's value, in A, S1, S2 or N as the field says. Package observe's
// option functions are the only ones that make Options; everything else
// reads them through Resolve. It is a small value rather than an
// interface or a closure, so that building options allocates nothing
// beyond boxing the values they carry, and a call that records nothing
// pays next to nothing. The zero Option sets nothing.
type Option struct {
	Field Field
	A     any
	S1    string
	S2    string
	N     int
}

// Field names one property of an observation. Each option sets exactly
// one Field, and Settings notes which were set in a Field mask, so that
// the kind of an option and the mark it leaves are one list.
type Field uint32

// The fields, one per option function of package observe. The value of
// each is in the Option field named beside it.
const (
	FType            Field = 1 << iota // S1: the observation type
	FInput                             // A: the input
	FOutput                            // A: the output
	FArgs                              // A: []any, a function's arguments as the input
	FMetadata                          // A: map[string]any, merged with earlier metadata
	FLevel                             // S1
	FStatus                            // S1: the status message
	FVersion                           // S1
	FModel                             // S1
	FModelParams                       // A: map[string]any
	FUsage                             // A: map[string]int
	FCost                              // A: map[string]float64
	FCompletionStart                   // A: time.Time
	FPrompt                            // S1: name, N: version
	FTraceContext                      // S1: trace id, S2: parent span id
	FCaptureIn                         // N: 1 on, 0 off
	FCaptureOut                        // N: 1 on, 0 off
	FArgNames                          // A: []string
	FTransform                         // A: func([]any) any
	FObeySwitches                      // none: capture as the client's switch says
	FReadBaggage                       // N: 1 on, 0 off
	FTraceIDHeader                     // S1: the header name
)

// generationOnly are the fields that only generation-like types carry.
const generationOnly = FModel | FModelParams | FUsage | FCost | FCompletionStart | FPrompt

// startOnly are the fields that write no attribute themselves: they say
// how an observation starts, or how a wrapper or handler records.
const startOnly = FType | FTraceContext | FCaptureIn | FCaptureOut | FArgNames | FTransform |
	FObeySwitches | FReadBaggage | FTraceIDHeader

// Bool is the N of an option that switches something on or off.
func Bool(on bool) int {
	if on {
		return 1
	}
	return 0
}

// Options returns opts, a slice of package observe's Option, as the
// Options they are: an observe.Option is a struct whose only field is an
// Option, so the two share one memory layout and the slice is viewed, not
// copied (rule (1) of unsafe.Pointer). O must be observe.Option; a type of
// another size is refused with a panic, and TestOptionLayout in package
// observe pins the layout. It lets the wrappers of the root package take
// observe's options without observe exporting what they hold.
func Options[O any](opts []O) []Option {
	if len(opts) == 0 {
		return nil
	}
	if unsafe.Sizeof(opts[0]) != unsafe.Sizeof(Option{}) {
		panic("core.Options: not a slice of observe.Option")
	}
	return unsafe.Slice((*Option)(unsafe.Pointer(unsafe.SliceData(opts))), len(opts))
}

// Settings is the resolved form of a list of options.
type Settings struct {
	set             Field
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

func (s *Settings) has(f Field) bool { return s.set&f != 0 }

// writes reports whether s sets any field that writes an attribute.
func (s *Settings) writes() bool { return s != nil && s.set&^startOnly != 0 }

// Resolve applies opts in order; later options win, metadata is merged.
func Resolve(opts []Option) Settings {
	var s Settings
	for i := range opts {
		s.apply(&opts[i])
	}
	return s
}

// Output returns the output an option list sets, and whether it sets one.
func (s *Settings) Output() (any, bool) { return s.output, s.has(FOutput) }

func (s *Settings) apply(o *Option) {
	switch o.Field {
	case FType:
		s.typ = o.S1
	case FInput:
		s.input = o.A
	case FOutput:
		s.output = o.A
	case FArgs:
		s.args, _ = o.A.([]any)
	case FMetadata:
		m, _ := o.A.(map[string]any)
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
	case FLevel:
		s.level = o.S1
	case FStatus:
		s.statusMessage = o.S1
	case FVersion:
		s.version = o.S1
	case FModel:
		s.model = o.S1
	case FModelParams:
		s.modelParams, _ = o.A.(map[string]any)
	case FUsage:
		s.usage, _ = o.A.(map[string]int)
	case FCost:
		s.cost, _ = o.A.(map[string]float64)
	case FCompletionStart:
		s.completionStart, _ = o.A.(time.Time)
	case FPrompt:
		s.promptName, s.promptVersion = o.S1, o.N
	case FTraceContext:
		s.traceID, s.parentSpanID = o.S1, o.S2
	case FCaptureIn:
		s.captureIn = o.N != 0
	case FCaptureOut:
		s.captureOut = o.N != 0
	case FArgNames:
		s.argNames, _ = o.A.([]string)
	case FTransform:
		s.transform, _ = o.A.(func([]any) any)
	case FReadBaggage:
		s.readBaggage = o.N != 0
	case FTraceIDHeader:
		s.traceIDHeader = o.S1
	case FObeySwitches:
	default:
		return // the zero Option, or one of no field: it sets nothing
	}
	s.set |= o.Field
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
