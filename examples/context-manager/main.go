// Command context-manager shows observe.Start and End, the Go form of the
// context manager of the other Langfuse SDKs (start_as_current_observation
// in Python, startActiveObservation in TypeScript).
//
// observe.Start returns a context in which the new observation is current:
// whatever is started with that context nests below it, and a deferred End
// closes it when the function returns, as leaving a with block would.
//
// Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the trace tree is
// printed to stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	ctx := context.Background()
	for _, q := range []string{"What is 2 + 2?", ""} {
		reply, err := answer(ctx, q)
		if err != nil {
			fmt.Printf("%q: error: %v\n", q, err)
			continue
		}
		fmt.Printf("%q: %s\n", q, reply)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// message is one chat message, captured as JSON in the order of its fields.
type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// answer is one trace: a chain observation with a generation nested in it.
func answer(ctx context.Context, question string) (string, error) {
	ctx, chain := observe.Start(ctx, "answer", observe.AsType(observe.TypeChain), observe.WithInput(question))
	// The deferred End runs on every return path, as leaving a with block
	// would, so the observation is never left open.
	defer chain.End()

	messages := []message{
		{Role: "system", Content: "Answer briefly."},
		{Role: "user", Content: question},
	}
	// The generation is started with the chain's ctx, so it is the chain's
	// child; the ctx it returns would parent whatever a model client
	// instrumented with OpenTelemetry starts.
	_, gen := observe.Start(ctx, "llm-call",
		observe.AsType(observe.TypeGeneration),
		observe.WithModel("gpt-4o-mini"),
		observe.WithInput(messages))
	reply, err := callModel(messages)
	if err != nil {
		gen.RecordError(err)
		gen.End()
		chain.RecordError(err)
		return "", err
	}
	gen.End(observe.WithOutput(reply), observe.WithUsage(map[string]int{"input": 18, "output": 1, "total": 19}))
	chain.Update(observe.WithOutput(reply))
	return reply, nil
}

// callModel stands in for a chat completion request.
func callModel(messages []message) (string, error) {
	if strings.TrimSpace(messages[len(messages)-1].Content) == "" {
		return "", errors.New("empty question")
	}
	return "4", nil
}
