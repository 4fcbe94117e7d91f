// Command streaming observes a model answer that arrives token by token,
// with langfuse.ObserveSeq.
//
// The wrapped function returns an iter.Seq2[string, error]. Its
// observation, a generation here, lasts until the loop over the sequence
// ends; the first token sets the completion start time (time to first
// token), and the output is the tokens joined. The sequence reports usage
// itself with observe.UpdateCurrent once it knows it, because its ctx
// holds the generation. A loop that stops early stops the sequence and
// ends the observation with the tokens received so far.
//
// Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the trace trees are
// printed to stderr.
package main

import (
	"context"
	"fmt"
	"iter"
	"log"
	"os"
	"strings"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

// streamAnswer stands in for a streaming chat completion.
var streamAnswer = langfuse.ObserveSeq("stream-answer", func(ctx context.Context, prompt string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		tokens := []string{"Go", " ranges", " over", " functions", " since", " 1.23", "."}
		sent := 0
		// Deferred, so that usage is recorded however the stream ends,
		// also when the consumer stops early.
		defer func() {
			observe.UpdateCurrent(ctx, observe.WithUsage(map[string]int{
				"input": len(strings.Fields(prompt)), "output": sent,
			}))
		}()
		for _, tok := range tokens {
			sent++
			if !yield(tok, nil) {
				return
			}
		}
	}
}, observe.AsType(observe.TypeGeneration), observe.WithModel("gpt-4o-mini"))

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	ctx := context.Background()
	var answer strings.Builder
	for tok, err := range streamAnswer(ctx, "Since when can Go range over functions?") {
		if err != nil {
			log.Fatal(err)
		}
		answer.WriteString(tok) // a chat UI would show each token at once
	}
	fmt.Println(answer.String())

	// A consumer that needs only the first three tokens breaks out of the
	// loop; the observation ends there.
	var preview []string
	for tok, err := range streamAnswer(ctx, "Preview the answer.") {
		if err != nil {
			log.Fatal(err)
		}
		preview = append(preview, tok)
		if len(preview) == 3 {
			break
		}
	}
	fmt.Printf("preview: %q\n", strings.Join(preview, ""))

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
