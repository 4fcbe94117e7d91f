package experiment_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/observe-go/langfuse/experiment"
)

// An experiment over local data: a task, an evaluator, a verdict. With a
// Langfuse client (langfuse.New, or langfusetest.New in a test) each item
// is recorded as a trace of the run; here none is set up, and the run
// works the same.
func Example() {
	items := []experiment.Item[string, string]{
		{ID: "fr", Input: "France", Expected: "Paris"},
		{ID: "jp", Input: "Japan", Expected: "Tokyo"},
	}
	capital := func(_ context.Context, it experiment.Item[string, string]) (string, error) {
		return map[string]string{"France": "Paris", "Japan": "Kyoto"}[it.Input], nil
	}
	res, err := experiment.Run(context.Background(), "capitals", items, capital,
		experiment.WithRunName("capitals v1"),
		experiment.WithEvaluators(experiment.ExactMatch[string, string]()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())
	fmt.Println(res.Check(experiment.MinScore("exact_match", 0.9)))
	// Output:
	// experiment "capitals", run "capitals v1": 2 items
	//   exact_match: mean 0.5 over 2 items
	// experiment "capitals" fell short:
	//   exact_match: mean 0.5 over 2 items is below 0.9
	//   item jp: exact_match 0; output "Kyoto", expected "Tokyo"
}

// An evaluator of one's own, typed with the experiment's items.
func ExampleNewEvaluator() {
	length := experiment.NewEvaluator("short_enough", func(_ context.Context, r experiment.ItemResult[string, int, string]) ([]experiment.Evaluation, error) {
		return []experiment.Evaluation{{Name: "short_enough", Value: len(r.Output) <= r.Item.Expected}}, nil
	})
	shout := func(_ context.Context, it experiment.Item[string, int]) (string, error) {
		return strings.ToUpper(it.Input) + "!", nil
	}
	res, _ := experiment.Run(context.Background(), "shout", []experiment.Item[string, int]{
		{ID: "a", Input: "hi", Expected: 5},
		{ID: "b", Input: "hello there", Expected: 5},
	}, shout, experiment.WithEvaluators(length))
	for _, it := range res.Items {
		e, _ := it.Evaluation("short_enough")
		fmt.Println(it.Item.ID, it.Output, e.Value)
	}
	// Output:
	// a HI! true
	// b HELLO THERE! false
}

// JSONEqual compares a model's JSON text with a Go value.
func ExampleJSONEqual() {
	extract := func(_ context.Context, it experiment.Item[string, map[string]any]) (string, error) {
		return `{"city": "Paris", "country": "FR"}`, nil
	}
	res, _ := experiment.Run(context.Background(), "extract", []experiment.Item[string, map[string]any]{
		{ID: "1", Input: "Paris, France", Expected: map[string]any{"country": "FR", "city": "Paris"}},
		{ID: "2", Input: "Lyon, France", Expected: map[string]any{"country": "FR", "city": "Lyon"}},
	}, extract, experiment.WithEvaluators(experiment.JSONEqual[string, map[string]any, string]()))
	for _, it := range res.Items {
		e, _ := it.Evaluation("json_equal")
		fmt.Println(it.Item.ID, e.Value)
	}
	// Output:
	// 1 true
	// 2 false
}
