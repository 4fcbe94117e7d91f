// Command observe-wrapper shows the wrappers, the Go form of the @observe
// decorator of the Python SDK and observe() of the TypeScript SDK.
//
// A wrapper takes a function whose first parameter is a context.Context
// and returns a function of the same type whose every call is an
// observation: the arguments after ctx are the input, the result is the
// output, and a returned error marks the observation with level ERROR.
// Wrappers are package-level variables made before main sets up the
// client; they look it up on every call.
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
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

// loadSettings has no argument after ctx, so it records no input.
var loadSettings = langfuse.ObserveCtx("load-settings", func(ctx context.Context) (map[string]int, error) {
	return map[string]int{"top_k": 2}, nil
})

// authenticate must not send the password or the session token to
// Langfuse: capture is switched off for both. This wins over
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED in either direction.
var authenticate = langfuse.Observe2("authenticate", func(ctx context.Context, user, password string) (string, error) {
	return "session-token-3f9a", nil
}, observe.CaptureInput(false), observe.CaptureOutput(false))

// search names its arguments, so the input is {"query":...,"k":...}
// instead of a JSON array.
var search = langfuse.Observe2("search", func(ctx context.Context, query string, k int) ([]string, error) {
	docs := []string{"Paris is the capital of France.", "France is in Europe.", "Lyon is in France."}
	return docs[:k], nil
}, observe.AsType(observe.TypeRetriever), observe.ArgNames("query", "k"))

// score has no ArgNames: its two arguments are captured as a JSON array.
var score = langfuse.Observe2("score", func(ctx context.Context, answer string, docs []string) (float64, error) {
	return 0.9, nil
}, observe.AsType(observe.TypeEvaluator))

// embedQuery is wrapped with an empty name, so observations take the
// function's own name.
var embed = langfuse.Observe1("", embedQuery,
	observe.AsType(observe.TypeEmbedding), observe.WithModel("text-embedding-3-small"))

func embedQuery(ctx context.Context, text string) ([]float64, error) {
	return []float64{0.12, -0.48, 0.33}, nil
}

// notifyOwner returns only an error; the error is recorded with level
// ERROR and returned unchanged.
var notifyOwner = langfuse.ObserveErr("notify-owner", func(ctx context.Context) error {
	return errors.New("mail server unavailable")
}, observe.AsType(observe.TypeTool))

// answer is the outermost wrapper: every wrapper called with the ctx it
// hands in nests below it.
var answer = langfuse.Observe1("answer", func(ctx context.Context, question string) (string, error) {
	settings, err := loadSettings(ctx)
	if err != nil {
		return "", err
	}
	if _, err := authenticate(ctx, "ada", "correct horse battery staple"); err != nil {
		return "", err
	}
	if _, err := embed(ctx, question); err != nil {
		return "", err
	}
	docs, err := search(ctx, question, settings["top_k"])
	if err != nil {
		return "", err
	}
	reply := "Paris."
	if _, err := score(ctx, reply, docs); err != nil {
		return "", err
	}
	// A failed notification does not fail the answer; it is still
	// recorded on its own observation.
	_ = notifyOwner(ctx)
	return reply, nil
}, observe.AsType(observe.TypeAgent))

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	reply, err := answer(context.Background(), "What is the capital of France?")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
