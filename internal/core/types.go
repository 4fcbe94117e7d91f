package core

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/semconv"
)

// obsType is an observation type Langfuse knows, as a small number, so
// that a record holds it in a byte.
type obsType uint8

// The observation types, in the order of typeNames.
const (
	tSpan obsType = iota
	tGeneration
	tEvent
	tAgent
	tTool
	tChain
	tRetriever
	tEvaluator
	tEmbedding
	tGuardrail
)

var typeNames = [...]string{
	tSpan: semconv.TypeSpan, tGeneration: semconv.TypeGeneration, tEvent: semconv.TypeEvent,
	tAgent: semconv.TypeAgent, tTool: semconv.TypeTool, tChain: semconv.TypeChain,
	tRetriever: semconv.TypeRetriever, tEvaluator: semconv.TypeEvaluator,
	tEmbedding: semconv.TypeEmbedding, tGuardrail: semconv.TypeGuardrail,
}

// String returns the type's name on the wire.
func (t obsType) String() string { return typeNames[t] }

// typeOf returns the type named name, and whether Langfuse knows it.
func typeOf(name string) (obsType, bool) {
	for t, n := range typeNames {
		if n == name {
			return obsType(t), true
		}
	}
	return tSpan, false
}

// ValidType reports whether t is an observation type Langfuse knows.
func ValidType(t string) bool {
	_, ok := typeOf(t)
	return ok
}

// generationLike reports whether observations of type t carry a model,
// usage and cost.
func (t obsType) generationLike() bool { return t == tGeneration || t == tEmbedding }

// GenerationLike reports whether observations of the type named t carry a
// model, usage and cost.
func GenerationLike(t string) bool { return t == semconv.TypeGeneration || t == semconv.TypeEmbedding }

func validLevel(l string) bool {
	switch l {
	case semconv.LevelDebug, semconv.LevelDefault, semconv.LevelWarning, semconv.LevelError:
		return true
	}
	return false
}

// typeAttr is the type attribute of an observation of type t. A plain
// span goes without one: the server reads a span with no type, model or
// gen_ai.* attribute as a span.
func typeAttr(t obsType) attribute.KeyValue {
	return attribute.String(semconv.ObservationType, t.String())
}

// resolveType returns the type s asks for: span when it asks for none, or
// for one Langfuse does not know, which st warns about.
func resolveType(st *global.State, s *Settings) obsType {
	if !s.has(FType) {
		return tSpan
	}
	if t, ok := typeOf(s.typ); ok {
		return t
	}
	st.Warn("unknown observation type, using span", "type", s.typ)
	return tSpan
}

// defaultPanicLimit bounds the text of a panic where no client is at hand.
var defaultPanicLimit = capture.Options{MaxBytes: maxPanicText}
