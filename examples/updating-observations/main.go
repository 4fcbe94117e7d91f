// Command updating-observations changes observations after they started:
// input and output that are known only later, metadata, levels and status
// messages, and the model, usage and cost of a generation.
//
//   - o.Update(opts...) updates an observation you hold.
//   - observe.UpdateCurrent(ctx, opts...) updates the one current in ctx,
//     for code deep inside a wrapped function that holds only a ctx.
//   - o.End(opts...) applies its options, then ends.
//   - o.SetTraceIO(input, output) and observe.SetCurrentTraceIO(ctx, ...)
//     set the input and output of the whole trace, which Langfuse shows
//     on the trace and which trace-level evaluations read.
//
// Model, usage, cost, completion start time and prompt apply to
// generations and embeddings only; on another type they are ignored with
// a warning, and no update ever changes an observation's type.
//
// Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the trace tree is
// printed to stderr.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

// lookupCache reports whether key was cached. It records a miss as a
// warning through UpdateCurrent, because the wrapped function holds only
// its ctx.
var lookupCache = langfuse.Observe1("lookup-cache", func(ctx context.Context, key string) (bool, error) {
	observe.UpdateCurrent(ctx,
		observe.WithLevel(observe.LevelWarning),
		observe.WithStatusMessage("cache miss, computed the answer again"),
		observe.WithMetadata(map[string]any{"cache": "redis", "ttl_seconds": 300}))
	return false, nil
})

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	summary := summarize(context.Background(), "Langfuse traces LLM applications. It is open source.")
	fmt.Println(summary)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func summarize(ctx context.Context, text string) string {
	ctx, span := observe.Start(ctx, "summarize")
	defer span.End()
	// The input is known after the observation started, as when a request
	// body is read inside the handler.
	span.Update(observe.WithInput(text), observe.WithVersion("summarizer-v2"))

	if _, err := lookupCache(ctx, "summary:1"); err != nil {
		span.RecordError(err)
	}

	// Debug-level observations are kept by Langfuse and can be filtered
	// out of its views.
	_, dbg := observe.Start(ctx, "tokenize", observe.WithLevel(observe.LevelDebug))
	dbg.End(observe.WithOutput(map[string]int{"tokens": 11}))

	// A generation starts with what is known before the call; model
	// parameters, usage, cost and output are filled in as they arrive.
	_, gen := observe.Start(ctx, "llm-summary",
		observe.AsType(observe.TypeGeneration),
		observe.WithModel("gpt-4o-mini"),
		observe.WithPrompt("summarize", 3),
		observe.WithInput(text))
	gen.Update(observe.WithModelParameters(map[string]any{"temperature": 0.1, "max_tokens": 64}))
	firstToken := time.Now()
	gen.Update(observe.WithCompletionStartTime(firstToken))
	summary := "Langfuse is open-source LLM tracing."
	gen.End(
		observe.WithOutput(summary),
		observe.WithUsage(map[string]int{"input": 14, "output": 7, "total": 21}),
		observe.WithCost(map[string]float64{"input": 0.0000021, "output": 0.0000042, "total": 0.0000063}))

	// A model option on a span is ignored with a warning (on stderr), and
	// AsType in an update never retypes the span.
	span.Update(observe.AsType(observe.TypeGeneration), observe.WithModel("gpt-4o-mini"))

	observe.Current(ctx).Update(
		observe.WithOutput(summary),
		observe.WithMetadata(map[string]any{"words": 5}))

	// The trace's own input and output: here the question and the answer,
	// without the version and cache details of the observations.
	observe.SetCurrentTraceIO(ctx, text, summary)
	return summary
}
