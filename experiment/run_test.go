package experiment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/observe-go/langfuse/experiment"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// serverView is what Langfuse's OTel ingestion makes of one span's
// experiment attributes, as OtelIngestionProcessor.extractExperimentFields
// reads them: the plain keys, and the metadata from the JSON object at
// the prefix key merged with the flattened prefix.* keys.
type serverView struct {
	ExperimentID, ExperimentName, ExperimentDescription, DatasetID string
	ItemID, ItemVersion, ItemRootSpanID, ItemExpectedOutput        string
	ExperimentMetadata, ItemMetadata                               map[string]string
	Environment                                                    string
}

func ingest(o langfusetest.Observation) serverView {
	meta := func(prefix string) map[string]string {
		m := map[string]string{}
		if v := o.Attr(prefix); v != "" {
			var obj map[string]any
			if json.Unmarshal([]byte(v), &obj) == nil {
				for k, x := range obj {
					m[k] = fmt.Sprint(x)
				}
			}
		}
		for k, v := range o.Attributes {
			if rest, ok := strings.CutPrefix(string(k), prefix+"."); ok && rest != "" {
				m[rest] = v.String()
			}
		}
		return m
	}
	return serverView{
		ExperimentID: o.Attr(semconv.ExperimentID), ExperimentName: o.Attr(semconv.ExperimentName),
		ExperimentDescription: o.Attr(semconv.ExperimentDescription), DatasetID: o.Attr(semconv.ExperimentDatasetID),
		ItemID: o.Attr(semconv.ExperimentItemID), ItemVersion: o.Attr(semconv.ExperimentItemVersion),
		ItemRootSpanID: o.Attr(semconv.ExperimentItemRootObservationID), ItemExpectedOutput: o.Attr(semconv.ExperimentItemExpectedOutput),
		ExperimentMetadata: meta(strings.TrimSuffix(semconv.ExperimentMetadataPrefix, ".")),
		ItemMetadata:       meta(strings.TrimSuffix(semconv.ExperimentItemMetadataPrefix, ".")),
		Environment:        o.Environment,
	}
}

// capital answers with a child observation, as an application would.
func capital(ctx context.Context, it experiment.Item[string, string]) (string, error) {
	_, gen := observe.Start(ctx, "model-call", observe.AsType(observe.TypeGeneration), observe.WithModel("stand-in"))
	defer gen.End()
	answers := map[string]string{"France": "Paris", "Japan": "Tokyo", "Italy": "Milan"}
	return answers[it.Input], nil
}

var capitals = []experiment.Item[string, string]{
	{Input: "France", Expected: "Paris", Metadata: map[string]any{"continent": "Europe"}},
	{Input: "Japan", Expected: "Tokyo", Metadata: map[string]any{"continent": "Asia"}},
	{ID: "it", Input: "Italy", Expected: "Rome", Metadata: map[string]any{"continent": "Europe", "facts": map[string]any{"pop": 59}}},
}

func TestRunRecordsItemsAsLangfuseReadsThem(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	// An observation in ctx is no parent: each item is a trace of its own.
	ctx, outer := observe.Start(ctx, "test")
	defer outer.End()

	res, err := experiment.Run(ctx, "capitals", capitals, capital,
		experiment.WithEvaluators(experiment.ExactMatch[string, string]()),
		experiment.WithRunName("capitals v1"), experiment.WithDescription("capital cities"),
		experiment.WithMetadata(map[string]any{"model": "stand-in", "temperature": 0}),
		experiment.WithDatasetID("local-capitals"))
	require.NoError(t, err)
	require.Len(t, res.Items, 3)
	assert.Equal(t, "capitals v1", res.RunName)
	assert.Empty(t, res.DatasetRunID)
	assert.Len(t, res.ExperimentID, 16)

	roots := rec.FindAll("experiment-item-run")
	require.Len(t, roots, 3)
	byTrace := map[string]langfusetest.Observation{}
	for _, r := range roots {
		byTrace[r.TraceID] = r
		assert.Empty(t, r.ParentID, "the item's root is its trace's root")
		assert.NotEqual(t, outer.TraceID(), r.TraceID)
	}
	for i, ir := range res.Items {
		root, ok := byTrace[ir.TraceID]
		require.True(t, ok, "item %d has a trace", i)
		assert.Equal(t, root.ID, ir.ObservationID)
		assert.Equal(t, fmt.Sprintf("%q", capitals[i].Input), fmt.Sprintf("%q", root.Input))
		assert.Equal(t, ir.Output, root.Output)
		assert.Equal(t, "capitals", root.Metadata["experiment_name"].AsString())
		assert.Equal(t, "capitals v1", root.Metadata["experiment_run_name"].AsString())

		v := ingest(root)
		assert.Equal(t, res.ExperimentID, v.ExperimentID)
		assert.Equal(t, "capitals v1", v.ExperimentName)
		assert.Equal(t, "capital cities", v.ExperimentDescription)
		assert.Equal(t, "local-capitals", v.DatasetID)
		assert.Equal(t, root.ID, v.ItemRootSpanID, "the root's root observation id is its own span id")
		assert.Equal(t, capitals[i].Expected, v.ItemExpectedOutput)
		assert.Equal(t, semconv.EnvironmentExperiment, v.Environment)
		assert.Equal(t, map[string]string{"model": "stand-in", "temperature": "0"}, v.ExperimentMetadata)
		assert.Equal(t, capitals[i].Metadata["continent"], v.ItemMetadata["continent"])
		assert.Empty(t, v.ItemVersion, "local items have no version")

		// Every other span of the item's trace carries the identity.
		var others int
		for _, o := range rec.Observations() {
			if o.TraceID != ir.TraceID || o.ID == root.ID {
				continue
			}
			others++
			ov := ingest(o)
			assert.Equal(t, v.ExperimentID, ov.ExperimentID, o.Name)
			assert.Equal(t, v.ExperimentName, ov.ExperimentName, o.Name)
			assert.Equal(t, v.DatasetID, ov.DatasetID, o.Name)
			assert.Equal(t, v.ItemID, ov.ItemID, o.Name)
			assert.Equal(t, root.ID, ov.ItemRootSpanID, o.Name)
			assert.Equal(t, semconv.EnvironmentExperiment, ov.Environment, o.Name)
			assert.Equal(t, v.ExperimentMetadata, ov.ExperimentMetadata, o.Name)
			assert.Equal(t, v.ItemMetadata, ov.ItemMetadata, o.Name)
			assert.Empty(t, ov.ItemExpectedOutput, "the expected output is the root's alone")
		}
		assert.Equal(t, 2, others, "the model call and the evaluator")
	}
	// Item ids: the given one, else the first 16 hex digits of the
	// SHA-256 of the input, as the official SDKs make them.
	assert.Equal(t, "it", ingest(byTrace[res.Items[2].TraceID]).ItemID)
	assert.Equal(t, "7a1ca4ef7515f727", ingest(byTrace[res.Items[0].TraceID]).ItemID, "sha256(\"France\")[:8]")
	assert.Equal(t, "59", ingest(byTrace[res.Items[2].TraceID]).ItemMetadata["facts.pop"], "nested metadata is flattened")

	// The evaluator ran in an evaluator observation of the item's trace,
	// and its score is on the item's root observation.
	evs := rec.FindAll("exact_match")
	require.Len(t, evs, 3)
	for _, e := range evs {
		assert.Equal(t, "evaluator", e.Type)
		assert.Equal(t, byTrace[e.TraceID].ID, e.ParentID)
	}
	scores := rec.Scores()
	require.Len(t, scores, 3)
	for _, s := range scores {
		root := byTrace[s.TraceID]
		assert.Equal(t, root.ID, s.ObservationID)
		assert.Equal(t, "exact_match", s.Name)
		assert.Equal(t, "BOOLEAN", s.DataType)
	}
	mean, n := res.Mean("exact_match")
	assert.Equal(t, 3, n)
	assert.InDelta(t, 2.0/3, mean, 1e-9)
}

func TestRunEnvironment(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	_, err := experiment.Run(ctx, "env", capitals[:1], capital, experiment.WithEnvironment("eval-ci"))
	require.NoError(t, err)
	for _, o := range rec.Observations() {
		assert.Equal(t, "eval-ci", o.Environment, o.Name)
	}
	ctx, rec = langfusetest.New(t)
	_, err = experiment.Run(ctx, "env", capitals[:1], capital, experiment.WithEnvironment(""))
	require.NoError(t, err)
	for _, o := range rec.Observations() {
		assert.Empty(t, o.Environment, "%s keeps the client's environment", o.Name)
		assert.NotEmpty(t, ingest(o).ExperimentID)
	}
}

func TestRunRecordsFailuresOnTheirItems(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, rec := langfusetest.New(t)
	items := []experiment.Item[string, string]{
		{ID: "ok", Input: "a", Expected: "A"},
		{ID: "error", Input: "b"},
		{ID: "panic", Input: "c"},
		{ID: "goexit", Input: "d"},
		{ID: "bad-eval", Input: "e", Expected: "E"},
	}
	task := func(_ context.Context, it experiment.Item[string, string]) (string, error) {
		switch it.ID {
		case "error":
			return "", errors.New("model unavailable")
		case "panic":
			panic("index out of range")
		case "goexit":
			runtime.Goexit()
		}
		return strings.ToUpper(it.Input), nil
	}
	failing := experiment.NewEvaluator("picky", func(_ context.Context, r experiment.ItemResult[string, string, string]) ([]experiment.Evaluation, error) {
		if r.Item.ID == "bad-eval" {
			panic("evaluator bug")
		}
		return []experiment.Evaluation{{Name: "picky", Value: 1}, {Name: "", Value: 1}, {Name: "struct", Value: struct{}{}}}, nil
	})
	res, err := experiment.Run(ctx, "failures", items, task, experiment.WithMaxConcurrency(2),
		experiment.WithEvaluators(experiment.ExactMatch[string, string](), failing))
	require.NoError(t, err, "items fail, the run does not")
	require.Len(t, res.Items, 5)
	byID := map[string]experiment.ItemResult[string, string, string]{}
	for _, it := range res.Items {
		byID[it.Item.ID] = it
	}
	assert.NoError(t, byID["ok"].Err)
	assert.Len(t, byID["ok"].Evaluations, 2, "exact_match and picky")
	assert.Len(t, byID["ok"].EvalErrors, 2, "the evaluation without a name and the one with a struct value")
	assert.EqualError(t, byID["error"].Err, "model unavailable")
	var pe *experiment.PanicError
	require.ErrorAs(t, byID["panic"].Err, &pe)
	assert.Equal(t, "index out of range", pe.Value)
	assert.Contains(t, string(pe.Stack), "run_test.go")
	assert.ErrorContains(t, byID["goexit"].Err, "runtime.Goexit")
	assert.Empty(t, byID["error"].Evaluations, "evaluators do not run on a failed task")
	require.Len(t, byID["bad-eval"].EvalErrors, 1)
	assert.ErrorContains(t, byID["bad-eval"].EvalErrors[0], `evaluator "picky": panic: evaluator bug`)
	assert.Len(t, byID["bad-eval"].Evaluations, 1, "exact_match still scored")

	failed := 0
	for _, o := range rec.FindAll("experiment-item-run") {
		if o.Failed() {
			failed++
		}
	}
	assert.Equal(t, 3, failed, "error, panic and Goexit mark the root ERROR")
	var evalFailed bool
	for _, o := range rec.FindAll("picky") {
		evalFailed = evalFailed || (o.Failed() && strings.Contains(o.StatusMessage, "evaluator bug"))
	}
	assert.True(t, evalFailed, "the evaluator's panic is on its observation")
	assert.Len(t, res.Failed(), 3)
	sum := res.Summary()
	assert.Contains(t, sum, "5 items, 3 failed")
	assert.Contains(t, sum, "item panic failed: panic: index out of range")
}

func TestRunInvalidSetups(t *testing.T) {
	ctx := context.Background()
	_, err := experiment.Run(ctx, "", capitals, capital)
	assert.ErrorIs(t, err, experiment.ErrInvalid)
	_, err = experiment.Run[string, string, string](ctx, "x", capitals, nil)
	assert.ErrorIs(t, err, experiment.ErrInvalid)
	_, err = experiment.Run(ctx, "x", capitals, capital, experiment.WithMaxConcurrency(0))
	assert.ErrorIs(t, err, experiment.ErrInvalid)
	_, err = experiment.Run(ctx, "x", capitals, capital, experiment.WithEnvironment("Langfuse-Prod"))
	assert.ErrorIs(t, err, experiment.ErrInvalid)
	_, err = experiment.Run(ctx, "x", capitals, capital, experiment.WithEvaluators(experiment.ExactMatch[int, string]()))
	assert.ErrorIs(t, err, experiment.ErrInvalid)
	assert.ErrorContains(t, err, "does not fit Run[string, string, string]")

	res, err := experiment.Run(ctx, "empty", nil, capital)
	require.NoError(t, err)
	assert.Empty(t, res.Items)
}

func TestRunWithoutAClientStillRuns(t *testing.T) {
	res, err := experiment.Run(context.Background(), "offline", capitals, capital,
		experiment.WithEvaluators(experiment.ExactMatch[string, string]()))
	require.NoError(t, err)
	require.Len(t, res.Items, 3)
	mean, _ := res.Mean("exact_match")
	assert.InDelta(t, 2.0/3, mean, 1e-9)
	assert.Empty(t, res.Items[0].TraceID, "nothing recorded")
}

func TestRunEvaluatorsScoreTheRun(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	accuracy := experiment.NewRunEvaluator("accuracy", func(_ context.Context, items []experiment.ItemResult[string, string, string]) ([]experiment.Evaluation, error) {
		n := 0
		for _, it := range items {
			if it.Output == it.Item.Expected {
				n++
			}
		}
		return []experiment.Evaluation{{Name: "accuracy", Value: float64(n) / float64(len(items))}}, nil
	})
	broken := experiment.NewRunEvaluator("broken", func(context.Context, []experiment.ItemResult[string, string, string]) ([]experiment.Evaluation, error) {
		return nil, errors.New("no data")
	})
	res, err := experiment.Run(ctx, "capitals", capitals, capital, experiment.WithRunEvaluators(accuracy, broken))
	require.NoError(t, err)
	e, ok := res.RunEvaluation("accuracy")
	require.True(t, ok)
	assert.InDelta(t, 2.0/3, e.Value, 1e-9)
	require.Len(t, res.RunEvalErrors, 1)
	assert.ErrorContains(t, res.RunEvalErrors[0], `run evaluator "broken": no data`)
	assert.Empty(t, rec.Scores(), "on local data a run evaluation is the Result's alone, as in the official SDKs")
	assert.NoError(t, res.Check(experiment.MinRunScore("accuracy", 0.5)))
	assert.ErrorContains(t, res.Check(experiment.MinRunScore("accuracy", 0.9)), "run accuracy: 0.6667 is below 0.9")
}

// fakeTB records what Require reports instead of stopping a test.
type fakeTB struct {
	testing.TB
	msgs []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func TestRequireNamesTheFailingItems(t *testing.T) {
	ctx, _ := langfusetest.New(t)
	res, err := experiment.Run(ctx, "capitals", capitals, capital,
		experiment.WithEvaluators(experiment.ExactMatch[string, string]()))
	require.NoError(t, err)

	tb := &fakeTB{TB: t}
	res.Require(tb, experiment.MinScore("exact_match", 0.9), experiment.MaxFailures(0))
	require.Len(t, tb.msgs, 1)
	msg := tb.msgs[0]
	assert.Contains(t, msg, `experiment "capitals" fell short:`)
	assert.Contains(t, msg, "exact_match: mean 0.6667 over 3 items is below 0.9")
	assert.Contains(t, msg, `item it: exact_match 0; output "Milan", expected "Rome"`)
	assert.NotContains(t, msg, "item 7a1ca4ef7515f727:", "a passing item is not named")
	assert.Contains(t, msg, "\nexperiment \"capitals\", run \"capitals - ", "the summary follows")

	tb = &fakeTB{TB: t}
	res.Require(tb, experiment.MinScore("exact_match", 0.5), experiment.MaxFailures(0))
	assert.Empty(t, tb.msgs)
	assert.ErrorContains(t, res.Check(experiment.MinScore("missing", 0.1)), "item it: no missing score")
}

// TestThousandItemsAtConcurrency16 runs 1,000 items 16 at a time through
// a client that batches its export, and checks after Shutdown that every
// item's trace (root, model call, evaluator) and score was delivered, and
// that no more than 16 items ran at once.
func TestThousandItemsAtConcurrency16(t *testing.T) {
	rec := langfusetest.NewRecorder()
	c := batchedClient(t, rec)
	const n = 1000
	items := make([]experiment.Item[int, int], n)
	for i := range items {
		items[i] = experiment.Item[int, int]{ID: fmt.Sprintf("item-%04d", i), Input: i, Expected: 2 * i}
	}
	var running, most atomic.Int32
	task := func(ctx context.Context, it experiment.Item[int, int]) (int, error) {
		now := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		_, o := observe.Start(ctx, "double")
		defer o.End()
		runtime.Gosched()
		return 2 * it.Input, nil
	}
	res, err := experiment.Run(c.Context(context.Background()), "doubling", items, task,
		experiment.WithMaxConcurrency(16), experiment.WithEvaluators(experiment.ExactMatch[int, int]()))
	require.NoError(t, err)
	require.Len(t, res.Items, n)
	assert.LessOrEqual(t, most.Load(), int32(16))
	require.NoError(t, c.Shutdown(context.Background()))

	roots := map[string]string{} // trace -> item id
	children := map[string]int{}
	for _, o := range rec.Observations() {
		v := ingest(o)
		require.NotEmpty(t, v.ExperimentID, "%s carries the experiment", o.Name)
		if o.Name == "experiment-item-run" {
			roots[o.TraceID] = v.ItemID
			continue
		}
		children[o.TraceID]++
	}
	require.Len(t, roots, n, "one trace per item")
	for _, it := range res.Items {
		assert.Equal(t, it.Item.ID, roots[it.TraceID])
		assert.Equal(t, 2, children[it.TraceID], "item %s: the task's span and the evaluator", it.Item.ID)
	}
	scored := map[string]bool{}
	for _, s := range rec.Scores() {
		assert.Equal(t, 1.0, s.Value)
		scored[s.TraceID] = true
	}
	assert.Len(t, scored, n, "every item's score")
	assert.Zero(t, c.Stats().Dropped)
}

// TestCancelledRunStopsAndLeavesNoGoroutine cancels a run once four
// items are under way: they finish with the ctx their task was given, no
// further item starts, and no goroutine is left.
func TestCancelledRunStopsAndLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, rec := langfusetest.New(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make([]experiment.Item[int, int], 100)
	started := make(chan struct{}, len(items))
	task := func(ctx context.Context, _ experiment.Item[int, int]) (int, error) {
		started <- struct{}{}
		<-ctx.Done()
		return 0, ctx.Err()
	}
	done := make(chan struct{})
	var res *experiment.Result[int, int, int]
	var err error
	go func() {
		defer close(done)
		res, err = experiment.Run(ctx, "cancelled", items, task, experiment.WithMaxConcurrency(4))
	}()
	for range 4 {
		<-started
	}
	cancel()
	<-done
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, `experiment "cancelled": stopped after 4 of 100 items`)
	require.Len(t, res.Items, 4)
	assert.Equal(t, 96, res.NotRun)
	for _, it := range res.Items {
		assert.ErrorIs(t, it.Err, context.Canceled)
	}
	assert.Len(t, rec.FindAll("experiment-item-run"), 4)
}

// TestRunScoresGoThroughCtxsClientOnly checks that two experiments on two
// clients in parallel each record only their own.
func TestRunScoresGoThroughCtxsClientOnly(t *testing.T) {
	ctxA, recA := langfusetest.New(t)
	ctxB, recB := langfusetest.New(t)
	ev := experiment.WithEvaluators(experiment.ExactMatch[string, string]())
	_, err := experiment.Run(ctxA, "a", capitals[:1], capital, ev)
	require.NoError(t, err)
	_, err = experiment.Run(ctxB, "b", capitals, capital, ev)
	require.NoError(t, err)
	assert.Len(t, recA.Scores(), 1)
	assert.Len(t, recB.Scores(), 3)
}
