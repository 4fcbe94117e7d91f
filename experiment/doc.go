// Package experiment runs a program over a dataset and scores what it
// gives, as Langfuse experiments do: typed items (an input and the output
// expected for it), a task, evaluators that score each item's result and
// the whole run, and a run that Langfuse shows beside earlier runs. It is
// the Go form of the official SDKs' run_experiment and experiment.run,
// and it fits go test:
//
//	func TestCapitals(t *testing.T) {
//		ctx, _ := langfusetest.New(t) // or a ctx of a client that sends to Langfuse
//		items := []experiment.Item[string, string]{
//			{Input: "France", Expected: "Paris"},
//			{Input: "Japan", Expected: "Tokyo"},
//		}
//		res, err := experiment.Run(ctx, "capitals", items, capital,
//			experiment.WithEvaluators(experiment.ExactMatch[string, string]()))
//		require.NoError(t, err)
//		res.Require(t, experiment.MinScore("exact_match", 0.9)) // names the items below
//	}
//
// The items come from the program (local data) or from a Langfuse dataset
// (FetchDataset; langfuse.Client.CreateDataset and CreateDatasetItem make
// one). Either way each item is one trace whose root observation holds
// the input, the output and the expected output, and every span of that
// trace carries the experiment and item attributes of Langfuse's
// OpenTelemetry experiment ingestion (see Run). Evaluators are typed with
// the items: ExactMatch, JSONEqual and LLMJudge ship with the package,
// NewEvaluator and NewRunEvaluator make others. Scores go through the
// client's scores: on each item's root observation, and on the dataset
// run for run evaluations.
//
// A Run is bounded in concurrency (WithMaxConcurrency, 50 by default, as
// the official SDKs), stops starting items when its ctx ends, records a
// task's or evaluator's error or panic on its item without stopping the
// others, and returns only once everything it recorded is ended and
// queued, so that Flush or Shutdown of the client delivers all of it.
// Result.Check and Result.Require turn a run into a verdict.
package experiment
