// Command experiment runs a stand-in model over a few local items as a
// Langfuse experiment, scores each answer, and prints the run's summary.
//
//   - experiment.Run runs the task over the items, each item a trace of
//     its own: the root observation holds the input, the output and the
//     expected output, and every span of the trace carries the
//     experiment's and the item's identity, so Langfuse shows the run
//     beside earlier ones.
//   - experiment.ExactMatch scores each answer; a run evaluator scores the
//     whole run.
//   - Result.Summary says how the run went, and Result.Check holds it to
//     a threshold, naming the items below it (Result.Require does the same
//     in go test).
//
// With LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY each item's trace and
// score go to Langfuse; without them they are printed to stderr. The items
// run one at a time here so that the printed traces keep their order;
// experiment.WithMaxConcurrency sets how many run at once (50 by default).
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/experiment"
	"github.com/observe-go/langfuse/observe"
)

// capital is the application under test: a stand-in for a model call.
func capital(ctx context.Context, it experiment.Item[string, string]) (string, error) {
	_, gen := observe.Start(ctx, "answer", observe.AsType(observe.TypeGeneration), observe.WithModel("stand-in"),
		observe.WithInput("What is the capital of "+it.Input+"?"))
	answer := map[string]string{"France": "Paris", "Japan": "Tokyo", "Australia": "Sydney"}[it.Input]
	gen.End(observe.WithOutput(answer), observe.WithUsage(map[string]int{"input": 9, "output": 1}))
	return answer, nil
}

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}
	ctx := context.Background()

	items := []experiment.Item[string, string]{
		{ID: "fr", Input: "France", Expected: "Paris"},
		{ID: "jp", Input: "Japan", Expected: "Tokyo"},
		{ID: "au", Input: "Australia", Expected: "Canberra", Metadata: map[string]any{"tricky": true}},
	}
	accuracy := experiment.NewRunEvaluator("accuracy",
		func(_ context.Context, results []experiment.ItemResult[string, string, string]) ([]experiment.Evaluation, error) {
			right := 0
			for _, r := range results {
				if strings.EqualFold(r.Output, r.Item.Expected) {
					right++
				}
			}
			return []experiment.Evaluation{{Name: "accuracy", Value: float64(right) / float64(len(results))}}, nil
		})

	res, err := experiment.Run(ctx, "capitals", items, capital,
		experiment.WithRunName("capitals stand-in"),
		experiment.WithDescription("capital cities, stand-in model"),
		experiment.WithMetadata(map[string]any{"model": "stand-in"}),
		experiment.WithMaxConcurrency(1),
		experiment.WithEvaluators(experiment.ExactMatch[string, string]()),
		experiment.WithRunEvaluators(accuracy))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Summary())
	if err := res.Check(experiment.MinScore("exact_match", 0.9)); err != nil {
		fmt.Println(err)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
