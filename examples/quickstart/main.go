// Command quickstart instruments a tiny question-answering agent: a
// retriever, a generation with model and usage, a tool that fails, and a
// user and session propagated to every observation.
//
// With LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY set it sends the trace
// to Langfuse (LANGFUSE_BASE_URL for self-hosted); without them it prints
// the trace tree to stderr.
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

type document struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// retrieve is a retriever: its argument and result are captured as JSON.
var retrieve = langfuse.Observe1("retrieve-docs", func(ctx context.Context, query string) ([]document, error) {
	return []document{
		{ID: "doc-1", Text: "Langfuse is an open-source LLM engineering platform."},
		{ID: "doc-2", Text: "Traces are made of nested observations."},
	}, nil
}, observe.AsType(observe.TypeRetriever))

// generate stands in for a model call and records model, usage and cost.
var generate = langfuse.Observe2("generate-answer", func(ctx context.Context, question string, docs []document) (string, error) {
	started := time.Now()
	answer := "Langfuse records traces of LLM apps; " + strings.ToLower(docs[1].Text)
	observe.UpdateCurrent(ctx,
		observe.WithCompletionStartTime(started),
		observe.WithUsage(map[string]int{"input": 42, "output": 17, "total": 59}),
		observe.WithCost(map[string]float64{"total": 0.00031}))
	return answer, nil
}, observe.AsType(observe.TypeGeneration),
	observe.WithModel("gpt-4o-mini"),
	observe.WithModelParameters(map[string]any{"temperature": 0.2}),
	observe.ArgNames("question", "docs"))

// lookupWeather is a tool that fails: the error is recorded and returned.
var lookupWeather = langfuse.Observe1("weather-tool", func(ctx context.Context, city string) (string, error) {
	return "", errors.New("weather service unavailable")
}, observe.AsType(observe.TypeTool))

// answer is the agent: the wrappers it calls nest under it through ctx.
var answer = langfuse.Observe1("answer-question", func(ctx context.Context, question string) (string, error) {
	docs, err := retrieve(ctx, question)
	if err != nil {
		return "", err
	}
	if _, err := lookupWeather(ctx, "Berlin"); err != nil {
		observe.CreateEvent(ctx, "tool-fallback", observe.WithMetadata(map[string]any{"reason": err.Error()}))
	}
	return generate(ctx, question, docs)
}, observe.AsType(observe.TypeAgent))

func main() {
	lf, err := langfuse.New()
	if err != nil {
		// A malformed LANGFUSE_* variable is named here, but costs
		// only its own setting: lf works, with that setting's default.
		log.Printf("langfuse: %v", err)
	}

	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{
		UserID:    "user-42",
		SessionID: "session-2026-11",
		TraceName: "quickstart",
		Tags:      []string{"example"},
	})
	reply, err := answer(ctx, "What is Langfuse?")
	if err == nil {
		fmt.Println(reply)
	} else {
		// No log.Fatal here: it exits at once, deferred calls included,
		// and the trace of the failure would never be sent.
		fmt.Fprintln(os.Stderr, err)
	}

	// Without Shutdown, spans still queued are lost: Go runs no exit
	// hooks. Shutdown sends (or prints) everything before the program
	// exits, and every path out of main must reach it.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := lf.Shutdown(shutdownCtx); serr != nil {
		fmt.Fprintln(os.Stderr, serr)
		os.Exit(1)
	}
	if err != nil {
		os.Exit(1)
	}
}
