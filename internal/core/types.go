package core

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/semconv"
)

const typeSpan = semconv.TypeSpan

// ValidType reports whether t is an observation type Langfuse knows.
func ValidType(t string) bool {
	switch t {
	case semconv.TypeSpan, semconv.TypeGeneration, semconv.TypeEvent, semconv.TypeAgent, semconv.TypeTool,
		semconv.TypeChain, semconv.TypeRetriever, semconv.TypeEvaluator, semconv.TypeEmbedding, semconv.TypeGuardrail:
		return true
	}
	return false
}

// generationLike reports whether observations of type t carry a model,
// usage and cost.
func generationLike(t string) bool { return t == semconv.TypeGeneration || t == semconv.TypeEmbedding }

// GenerationLike is generationLike for the wrappers.
func GenerationLike(t string) bool { return generationLike(t) }

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
func typeAttr(t string) attribute.KeyValue { return attribute.String(semconv.ObservationType, t) }

// resolveType returns the type s asks for: span when it asks for none, or
// for one Langfuse does not know, which st warns about.
func resolveType(st *global.State, s *Settings) string {
	if !s.has(FType) || s.typ == typeSpan {
		return typeSpan
	}
	if ValidType(s.typ) {
		return s.typ
	}
	st.Warn("unknown observation type, using span", "type", s.typ)
	return typeSpan
}

// defaultPanicLimit bounds the text of a panic where no client is at hand.
var defaultPanicLimit = capture.Options{MaxBytes: maxPanicText}
