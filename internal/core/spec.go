package core

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/global"
)

// Spec is what a wrapper decided once, when it was made: the name, the
// type and the options every call shares. It is read only afterwards and
// safe for concurrent use.
type Spec struct {
	name          string
	s             Settings // the options that write attributes at every start
	typ           obsType
	capIn, capOut tri
	transform     func([]any) any
	readBaggage   bool
	traceIDHeader string
	argNames      *[]string // sp.s's, nil for none
	// typeAtStart gives the span its type as it starts, built once here so
	// that a call allocates no start option.
	typeAtStart []trace.SpanStartOption
	// plans are how a call records, by whether its result is its output:
	// built once, as the rest of the spec.
	plans [2]plan
}

// tri is a capture switch that may be left to the client.
type tri uint8

const (
	triUnset tri = iota
	triOn
	triOff
)

func triOf(set, on bool) tri {
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

// NewSpec resolves opts for the observations of a wrapper named name.
func NewSpec(name string, opts []Option) *Spec {
	s := Resolve(opts)
	s.own()
	sp := &Spec{
		name:          name,
		capIn:         triOf(s.has(FCaptureIn), s.captureIn),
		capOut:        triOf(s.has(FCaptureOut), s.captureOut),
		readBaggage:   s.readBaggage,
		traceIDHeader: s.traceIDHeader,
	}
	if s.has(FTransform) {
		sp.transform = s.transform
	}
	sp.typ = resolveType(nil, &s)
	if sp.typ != tSpan {
		sp.typeAtStart = []trace.SpanStartOption{trace.WithAttributes(typeAttr(sp.typ))}
	}
	// Input, output and trace context belong to one call, not to all.
	s.set &^= FCaptureIn | FCaptureOut | FInput | FOutput | FArgs | FTraceContext | FTransform
	sp.s = s
	if s.has(FArgNames) {
		sp.argNames = &sp.s.argNames
	}
	for i := range sp.plans {
		sp.plans[i] = plan{
			in:          keepAll, // the caller passed the arguments only if they are captured
			out:         allIf(i == 1),
			managed:     true,
			argNames:    sp.argNames,
			typeAtStart: sp.typeAtStart,
		}
	}
	return sp
}

// Name returns the name of the observations.
func (sp *Spec) Name() string { return sp.name }

// Type returns the type of the observations.
func (sp *Spec) Type() string { return sp.typ.String() }

// HasTransform reports whether a TransformOutput function makes the output
// of a sequence.
func (sp *Spec) HasTransform() bool { return sp.transform != nil }

// ReadBaggage reports whether a handler applies incoming W3C baggage.
func (sp *Spec) ReadBaggage() bool { return sp.readBaggage }

// TraceIDHeader names the request header a handler derives trace ids
// from, "" for none.
func (sp *Spec) TraceIDHeader() string { return sp.traceIDHeader }

// CaptureInput reports whether calls recorded by st capture their input.
// A wrapper asks once per call, before it boxes its arguments, and passes
// them to Begin only when the answer is yes.
func (sp *Spec) CaptureInput(st *global.State) bool { return sp.capIn.or(st.CaptureIO) }

// Begin starts the observation of one call for the client st, with args,
// when not empty, as its input. Whether the call's result is its output
// is decided here, once. The record is ended by End, through Guard when
// the call does not return, never by the public End.
func (sp *Spec) Begin(ctx context.Context, st *global.State, args ...any) (context.Context, *Record) {
	return start(ctx, st, sp.name, &sp.s, sp.typ, sp.plan(st), args)
}

// plan is how a call of the wrapper records: its arguments and result as
// the capture switches say, an input or output given explicitly always.
func (sp *Spec) plan(st *global.State) *plan {
	if sp.capOut.or(st.CaptureIO) {
		return &sp.plans[1]
	}
	return &sp.plans[0]
}

// BeginRequest is Begin for a server's request: the span is of kind
// server and, when ctx holds no span (no incoming trace context) and
// traceID is not "", the observation is the root of trace traceID.
func (sp *Spec) BeginRequest(ctx context.Context, st *global.State, traceID string, args ...any) (context.Context, *Record) {
	p := *sp.plan(st)
	p.kind, p.traceID = trace.SpanKindServer, traceID
	return start(ctx, st, sp.name, &sp.s, sp.typ, &p, args)
}

// BeginInline starts the observation of one inline call (Run): the
// settings s belong to this call alone, input is recorded only when s
// gives one, and the output capture follows the wrappers' rules.
func BeginInline(ctx context.Context, st *global.State, name string, s *Settings) (context.Context, *Record) {
	p := plan{in: keepGiven, out: allIf(st.CaptureIO), managed: true, argNames: namesOf(s)}
	if s.has(FCaptureIn) {
		p.in = givenIf(s.captureIn)
	}
	if s.has(FCaptureOut) {
		p.out = allIf(s.captureOut)
	}
	return start(ctx, st, name, s, resolveType(st, s), &p, nil)
}

// ItemsOutput returns what an observed sequence records as its output:
// the result of the TransformOutput function when one was given, else the
// concatenation when every item is a string, else the items (an empty JSON
// array when there are none). A panic in the transform is contained: the
// output is then a placeholder naming it.
func (sp *Spec) ItemsOutput(items []any) (out any) {
	if sp.transform != nil {
		defer func() {
			if p := recover(); p != nil {
				out = "<panic in TransformOutput: " + panicText(p, defaultPanicLimit) + ">"
			}
		}()
		return sp.transform(items)
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
