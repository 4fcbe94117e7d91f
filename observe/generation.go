package observe

import "time"

// GenerationDetails is what the result of a model call says about the
// call, for a wrapper to record (see GenerationResult). Zero fields are
// not recorded.
type GenerationDetails struct {
	// Model is the model that answered.
	Model string
	// Usage is token counts in Langfuse's keys: "input", "output",
	// "total", and any detail such as "input_cached_tokens".
	Usage map[string]int
	// Cost is what the call cost, in Langfuse's cost keys.
	Cost map[string]float64
	// CompletionStart is when the first token arrived.
	CompletionStart time.Time
}

// GenerationResult is implemented by a result type that knows the model
// call it came from. When a wrapper of type TypeGeneration or
// TypeEmbedding (langfuse.Observe1, Run, ...) returns such a result
// without an error, the details it reports are recorded on the
// observation as it ends, beside the output: the wrapped code needs no
// Update and no type assertion.
//
//	type Reply struct {
//		Text         string
//		InputTokens  int
//		OutputTokens int
//	}
//
//	func (r Reply) GenerationDetails() observe.GenerationDetails {
//		return observe.GenerationDetails{Model: "local-llama",
//			Usage: map[string]int{"input": r.InputTokens, "output": r.OutputTokens}}
//	}
//
//	var generate = langfuse.Observe1("generate", localModel.Generate,
//		observe.AsType(observe.TypeGeneration))
//
// GenerationDetails is called once per call, on the goroutine that made
// it; a panic in it is contained and logged.
type GenerationResult interface {
	GenerationDetails() GenerationDetails
}
