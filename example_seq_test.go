package langfuse_test

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

func ExampleObserveSeq() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	// stream stands in for a model client that streams its answer.
	stream := langfuse.ObserveSeq("chat", func(ctx context.Context, prompt string) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for _, token := range []string{"Hello", ", ", "world", "!"} {
				if !yield(token, nil) {
					return // the caller stopped early
				}
			}
		}
	}, observe.AsType(observe.TypeGeneration), observe.WithModel("gpt-4o"))

	var answer strings.Builder
	for token, err := range stream(context.Background(), "Say hello") {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		answer.WriteString(token)
	}
	fmt.Println(answer.String())

	_ = lf.Shutdown(context.Background())
	o, _ := rec.Find("chat")
	fmt.Printf("%s (%s) input=%s output=%s\n", o.Name, o.Type, o.Input, o.Output)
	// Output:
	// Hello, world!
	// chat (generation) input=Say hello output=Hello, world!
}
