package observe

import "github.com/observe-go/langfuse/internal/attrs"

// Type is the kind of an observation, as Langfuse shows it. It is written
// on the span when the observation starts and never changes afterwards.
type Type string

// The observation types Langfuse knows.
const (
	TypeSpan       Type = attrs.TypeSpan
	TypeGeneration Type = attrs.TypeGeneration
	TypeEvent      Type = attrs.TypeEvent
	TypeAgent      Type = attrs.TypeAgent
	TypeTool       Type = attrs.TypeTool
	TypeChain      Type = attrs.TypeChain
	TypeRetriever  Type = attrs.TypeRetriever
	TypeEvaluator  Type = attrs.TypeEvaluator
	TypeEmbedding  Type = attrs.TypeEmbedding
	TypeGuardrail  Type = attrs.TypeGuardrail
)

// Valid reports whether t is one of the types Langfuse knows.
func (t Type) Valid() bool {
	switch t {
	case TypeSpan, TypeGeneration, TypeEvent, TypeAgent, TypeTool, TypeChain,
		TypeRetriever, TypeEvaluator, TypeEmbedding, TypeGuardrail:
		return true
	}
	return false
}

// Level is the severity of an observation. LevelError also marks the span
// as failed for every OpenTelemetry backend; the other levels do not.
type Level string

// The levels Langfuse knows.
const (
	LevelDebug   Level = attrs.LevelDebug
	LevelDefault Level = attrs.LevelDefault
	LevelWarning Level = attrs.LevelWarning
	LevelError   Level = attrs.LevelError
)

// Valid reports whether l is one of the levels Langfuse knows.
func (l Level) Valid() bool {
	switch l {
	case LevelDebug, LevelDefault, LevelWarning, LevelError:
		return true
	}
	return false
}
