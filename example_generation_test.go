package langfuse_test

import (
	"context"
	"fmt"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// Completion is what a local model returns. Its GenerationDetails method
// tells a generation wrapper the model and usage to record.
type Completion struct {
	Text             string
	PromptTokens     int
	CompletionTokens int
}

func (c Completion) GenerationDetails() observe.GenerationDetails {
	return observe.GenerationDetails{
		Model: "llama-3.1-8b",
		Usage: map[string]int{"input": c.PromptTokens, "output": c.CompletionTokens},
	}
}

func ExampleObserve1_generationResult() {
	rec := langfusetest.NewRecorder()
	lf, err := langfuse.New(langfuse.WithSpanExporter(rec))
	if err != nil {
		panic(err)
	}

	complete := langfuse.Observe1("local-llm", func(ctx context.Context, prompt string) (Completion, error) {
		return Completion{Text: "Hello!", PromptTokens: 4, CompletionTokens: 2}, nil
	}, observe.AsType(observe.TypeGeneration))

	reply, _ := complete(context.Background(), "Say hello")
	fmt.Println(reply.Text)

	_ = lf.Shutdown(context.Background())
	o, _ := rec.Find("local-llm")
	fmt.Println(o.Type, o.Attr("langfuse.observation.model.name"), o.Attr("langfuse.observation.usage_details"))
	// Output:
	// Hello!
	// generation llama-3.1-8b {"input":4,"output":2}
}
