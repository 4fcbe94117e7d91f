package observe

// Type is the kind of an observation, as Langfuse shows it. It is written
// on the span when the observation starts and never changes afterwards.
type Type string

// The observation types Langfuse knows.
const (
	TypeSpan       Type = "span"
	TypeGeneration Type = "generation"
	TypeEvent      Type = "event"
	TypeAgent      Type = "agent"
	TypeTool       Type = "tool"
	TypeChain      Type = "chain"
	TypeRetriever  Type = "retriever"
	TypeEvaluator  Type = "evaluator"
	TypeEmbedding  Type = "embedding"
	TypeGuardrail  Type = "guardrail"
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
	LevelDebug   Level = "DEBUG"
	LevelDefault Level = "DEFAULT"
	LevelWarning Level = "WARNING"
	LevelError   Level = "ERROR"
)

// Valid reports whether l is one of the levels Langfuse knows.
func (l Level) Valid() bool {
	switch l {
	case LevelDebug, LevelDefault, LevelWarning, LevelError:
		return true
	}
	return false
}
