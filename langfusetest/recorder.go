// Package langfusetest records observations in memory so that tests can
// assert on what their instrumented code sends to Langfuse.
//
// New gives a test a client of its own, bound to the context it returns,
// so that parallel tests each see only their own observations:
//
//	func TestAnswer(t *testing.T) {
//		t.Parallel()
//		ctx, rec := langfusetest.New(t)
//		answer(ctx, "What is Langfuse?")
//		o, ok := rec.Find("answer")
//		...
//	}
//
// A Recorder is also an exporter for a client made by hand:
//
//	rec := langfusetest.NewRecorder()
//	lf, err := langfuse.New(langfuse.WithSpanExporter(rec))
//	// ... run the code under test ...
//	lf.Flush(ctx) // or Shutdown; the recorder keeps what it got
//	o, ok := rec.Find("answer-question")
//
// Spans of other instrumentation in the same traces are recorded too.
package langfusetest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/semconv"
)

// Recorder is an sdktrace.SpanExporter that keeps every span it is given,
// in the order they ended. Unlike most exporters it keeps them after
// Shutdown. It is safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	spans  []sdktrace.ReadOnlySpan
	scores []langfuse.Score
}

var (
	_ sdktrace.SpanExporter  = (*Recorder)(nil)
	_ langfuse.ScoreExporter = (*Recorder)(nil)
)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// ExportSpans records spans.
func (r *Recorder) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	r.mu.Lock()
	r.spans = append(r.spans, spans...)
	r.mu.Unlock()
	return nil
}

// ExportScores records scores. A client made with WithSpanExporter(r)
// hands r its scores as they are made.
func (r *Recorder) ExportScores(_ context.Context, scores []langfuse.Score) error {
	r.mu.Lock()
	r.scores = append(r.scores, scores...)
	r.mu.Unlock()
	return nil
}

// Scores returns the recorded scores in the order they were made, as
// they would be sent: the value a float64 (NUMERIC, BOOLEAN as 0 or 1) or
// a string (CATEGORICAL), the data type and id set, comment and metadata
// masked.
func (r *Recorder) Scores() []langfuse.Score {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.scores)
}

// Shutdown does nothing: what was recorded stays readable.
func (r *Recorder) Shutdown(context.Context) error { return nil }

// Reset forgets every recorded span and score.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.spans, r.scores = nil, nil
	r.mu.Unlock()
}

// Spans returns the recorded spans as the OpenTelemetry SDK sees them.
func (r *Recorder) Spans() []sdktrace.ReadOnlySpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans)
}

// Observation is a recorded span seen as Langfuse sees it.
type Observation struct {
	Name          string
	Type          string // "span", "generation"...; "" for spans of other instrumentation
	TraceID       string
	ID            string
	ParentID      string // "" for a root
	Input         string
	Output        string
	Level         string
	StatusMessage string
	// Metadata holds the flattened langfuse.observation.metadata.* values,
	// keyed without the prefix, as their attribute values.
	Metadata map[string]attribute.Value

	// Model is the model name of a generation or embedding.
	Model string
	// ModelParameters are the model parameters, decoded from their JSON
	// text; nil when none were recorded.
	ModelParameters map[string]any
	// Usage holds the usage details (token counts by kind); nil when none
	// were recorded.
	Usage map[string]int
	// Cost holds the cost details; nil when none were recorded.
	Cost map[string]float64
	// CompletionStart is when the first token arrived; zero when not
	// recorded.
	CompletionStart time.Time
	// PromptName and PromptVersion link a generation to a prompt version
	// ("" and 0 when not linked).
	PromptName    string
	PromptVersion int

	// UserID, SessionID, TraceName, Tags, Version, Release and
	// Environment are the trace-level attributes stamped on the span.
	UserID, SessionID, TraceName string
	Tags                         []string
	Version, Release             string
	Environment                  string
	// TraceInput and TraceOutput are the trace-level input and output set
	// on this span (observe.SetTraceIO), as JSON text or strings.
	TraceInput, TraceOutput string
	// Attributes holds every attribute of the span.
	Attributes map[string]attribute.Value
	// Status is the span's OpenTelemetry status.
	Status sdktrace.Status
	// Events are the span's events, such as the exception of a panic.
	Events []sdktrace.Event
	// Scope is the name of the tracer that made the span.
	Scope string
	// Span is the span itself.
	Span sdktrace.ReadOnlySpan
}

// Failed reports whether the observation has level ERROR and an
// OpenTelemetry status of Error.
func (o Observation) Failed() bool {
	return o.Level == semconv.LevelError && o.Status.Code == codes.Error
}

// Attr returns the attribute key as a string ("" when absent; non-string
// values are formatted).
func (o Observation) Attr(key string) string {
	v, ok := o.Attributes[key]
	if !ok {
		return ""
	}
	return v.String()
}

// Observations returns the recorded spans as observations, in the order
// they ended.
func (r *Recorder) Observations() []Observation {
	spans := r.Spans()
	out := make([]Observation, 0, len(spans))
	for _, s := range spans {
		out = append(out, toObservation(s))
	}
	return out
}

// Find returns the first recorded observation called name.
func (r *Recorder) Find(name string) (Observation, bool) {
	for _, s := range r.Spans() {
		if s.Name() == name {
			return toObservation(s), true
		}
	}
	return Observation{}, false
}

// FindAll returns every recorded observation called name, in the order
// they ended; none is an empty slice.
func (r *Recorder) FindAll(name string) []Observation {
	var out []Observation
	for _, s := range r.Spans() {
		if s.Name() == name {
			out = append(out, toObservation(s))
		}
	}
	return out
}

// MustFind returns the first recorded observation called name, or fails
// the test at once, naming the observations that were recorded.
func (r *Recorder) MustFind(t testing.TB, name string) Observation {
	t.Helper()
	if o, ok := r.Find(name); ok {
		return o
	}
	var names []string
	for _, s := range r.Spans() {
		names = append(names, strconv.Quote(s.Name()))
	}
	t.Fatalf("langfusetest: no observation %q among the %d recorded: [%s]", name, len(names), strings.Join(names, " "))
	return Observation{}
}

func toObservation(s sdktrace.ReadOnlySpan) Observation {
	o := Observation{
		Name:       s.Name(),
		TraceID:    s.SpanContext().TraceID().String(),
		ID:         s.SpanContext().SpanID().String(),
		Attributes: make(map[string]attribute.Value),
		Metadata:   make(map[string]attribute.Value),
		Status:     s.Status(),
		Events:     s.Events(),
		Scope:      s.InstrumentationScope().Name,
		Span:       s,
	}
	if p := s.Parent(); p.HasSpanID() {
		o.ParentID = p.SpanID().String()
	}
	for _, kv := range s.Attributes() {
		k := string(kv.Key)
		o.Attributes[k] = kv.Value
		if len(k) > len(semconv.ObservationMetadataPrefix) && k[:len(semconv.ObservationMetadataPrefix)] == semconv.ObservationMetadataPrefix {
			o.Metadata[k[len(semconv.ObservationMetadataPrefix):]] = kv.Value
		}
	}
	o.Type = o.Attr(semconv.ObservationType)
	if o.Type == "" && o.Scope == semconv.ScopeName {
		o.Type = semconv.TypeSpan // a plain observation goes without the attribute
	}
	o.Input = o.Attr(semconv.ObservationInput)
	o.Output = o.Attr(semconv.ObservationOutput)
	o.Level = o.Attr(semconv.ObservationLevel)
	o.StatusMessage = o.Attr(semconv.ObservationStatusMessage)
	o.decodeTyped()
	return o
}
