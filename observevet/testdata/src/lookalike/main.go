// Command lookalike calls functions named like the library's from another
// package: none of it is reported.
package main

import (
	"context"

	fake "example.com/fake/langfuse"
	fakeobserve "example.com/fake/observe"

	"github.com/observe-go/langfuse"
)

func llm(ctx context.Context, q string) (string, error) { return q, nil }

var answer = fake.Observe1("answer", func(ctx context.Context, q string) (string, error) {
	return llm(context.Background(), q)
})

func step(ctx context.Context) {
	_, obs := fakeobserve.Start(ctx, "step")
	_ = obs
	fakeobserve.StartObservation(ctx, "lost")
	_, _ = fake.Run(ctx, "run", func(ctx context.Context) (int, error) {
		_, err := llm(context.TODO(), "q")
		return 0, err
	})
}

func main() {
	c, _ := fake.New()
	_ = c
	real, _ := langfuse.New()
	defer real.Shutdown(context.Background())
	_, _ = answer(context.Background(), "q")
	step(context.Background())
}
