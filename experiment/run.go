package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// ErrInvalid is wrapped by the error of a Run that cannot start: no name,
// no task, a concurrency below 1, an environment Langfuse would refuse,
// evaluators of other types than the Run's.
var ErrInvalid = errors.New("invalid experiment")

// rootName names the root observation of each item's trace, as the
// official SDKs name it.
const rootName = "experiment-item-run"

// maxExpectedBytes bounds the expected output recorded on an item's root
// span, as LANGFUSE_CAPTURE_MAX_BYTES bounds a captured value by default.
const maxExpectedBytes = 1 << 20

// Run runs task over items, at most WithMaxConcurrency at once (50 by
// default), scores each result with the evaluators of WithEvaluators and
// the run with those of WithRunEvaluators, and returns every item's
// result. It records through ctx's client (langfuse.Client.Context,
// langfusetest.New), else the default client, as Langfuse reads an
// experiment:
//
//   - each item is a trace of its own, whatever observation ctx holds,
//     whose root observation ("experiment-item-run") has the item's input
//     and the task's output, and the expected output, the experiment's
//     description and the item's metadata as attributes;
//   - every span of the item's trace, the task's and those of other
//     instrumentation included, carries the experiment's id, name,
//     dataset id and metadata, the item's id, version, metadata and root
//     observation id, and the environment of WithEnvironment
//     ("sdk-experiment"), through W3C baggage in the task's ctx, which the
//     client's span processor stamps on each span (and which
//     langfuse.InjectHTTP sends on to services the task calls);
//   - each evaluator runs in an evaluator observation of the item's trace,
//     and each evaluation is a score on the item's root observation;
//   - an item of a Langfuse dataset (Item.DatasetID set) is linked to its
//     dataset item in the dataset run named WithRunName, whose id is then
//     the experiment's id, and run evaluations score that dataset run. On
//     local data run evaluations are in the Result only, as in the
//     official SDKs.
//
// A task or evaluator that returns an error or panics fails its item
// only: the error, or a *PanicError with the panic's value and stack, is
// recorded on the item's result and its observation, and the other items
// go on. Run recovers those panics rather than letting them go on, since
// they belong to the program under test, not to the runner. Evaluators do
// not run on a failed task.
//
// When ctx ends, no further item starts; items under way finish with the
// ctx their task was given, Run returns the results of the items that ran
// and an error wrapping ctx's error, and leaves no goroutine behind. Run
// returns once every observation it started has ended and every score is
// queued: Client.Flush or Client.Shutdown then delivers them all.
//
// Run's error is for the run as a whole: an invalid setup (wrapping
// ErrInvalid) or ctx's end. Items that failed are in the Result; Check
// and Require turn them into a verdict.
func Run[In, Exp, Out any](ctx context.Context, name string, items []Item[In, Exp], task Task[In, Exp, Out], opts ...Option) (*Result[In, Exp, Out], error) {
	if ctx == nil {
		ctx = context.Background()
	}
	s := settings{maxConcurrency: DefaultMaxConcurrency, environment: semconv.EnvironmentExperiment}
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	switch {
	case name == "":
		return nil, fmt.Errorf("experiment: %w: a name is required", ErrInvalid)
	case task == nil:
		return nil, fmt.Errorf("experiment %q: %w: a task is required", name, ErrInvalid)
	case s.maxConcurrency < 1:
		return nil, fmt.Errorf("experiment %q: %w: max concurrency %d is below 1", name, ErrInvalid, s.maxConcurrency)
	case s.environment != "" && !validEnvironment(s.environment):
		return nil, fmt.Errorf("experiment %q: %w: environment %q is not lowercase letters, digits, '-' and '_' (at most 40, not starting with \"langfuse\")",
			name, ErrInvalid, s.environment)
	}
	evs, runEvs, err := typed[In, Exp, Out](&s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	x := &run[In, Exp, Out]{s: &s, name: name, task: task, evs: evs, fallbackID: observe.CreateTraceID("")[:16]}
	x.runName = s.runName
	if x.runName == "" {
		x.runName = name + " - " + time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	}
	var dropped []string
	x.expMeta, dropped = metadataEntries(s.metadata, semconv.BaggageExperimentMetadataPrefix, semconv.ExperimentMetadataPrefix)
	res := &Result[In, Exp, Out]{Name: name, RunName: x.runName, Description: s.description}
	if len(dropped) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("experiment metadata %q not on every span (a key of letters, digits and !#$%%&'*+-.^_`|~, "+
			"a value of at most 200 characters, %d entries at most); the root observations' metadata has it", dropped, maxMetadataEntries))
	}

	// Each item is a trace of its own: no span of ctx is its parent.
	base := trace.ContextWithSpanContext(ctx, trace.SpanContext{})
	results := make([]ItemResult[In, Exp, Out], len(items))
	ran := make([]bool, len(items))
	var next atomic.Int64
	var wg sync.WaitGroup
	var worker func()
	worker = func() {
		normal := false
		defer func() {
			if !normal {
				// A task or evaluator ended this goroutine with
				// runtime.Goexit (t.FailNow): its item is recorded, and
				// another worker takes this one's place.
				wg.Add(1)
				go worker()
			}
			wg.Done()
		}()
		for ctx.Err() == nil {
			i := int(next.Add(1) - 1)
			if i >= len(items) {
				break
			}
			ran[i] = true
			x.item(base, items[i], &results[i])
		}
		normal = true
	}
	for range min(s.maxConcurrency, len(items)) {
		wg.Add(1)
		go worker()
	}
	wg.Wait()

	for i := range results {
		if ran[i] {
			res.Items = append(res.Items, results[i])
		} else {
			res.NotRun++
		}
	}
	res.DatasetRunID = x.datasetRunID()
	res.ExperimentID = res.DatasetRunID
	if res.ExperimentID == "" {
		res.ExperimentID = x.fallbackID
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("experiment %q: stopped after %d of %d items: %w", name, len(res.Items), len(items), err)
	}
	for _, ev := range runEvs {
		evals, err := callRunEval(ctx, ev, res.Items)
		if err != nil {
			res.RunEvalErrors = append(res.RunEvalErrors, fmt.Errorf("run evaluator %q: %w", ev.name, err))
			continue
		}
		for _, e := range evals {
			if err := checkEvaluation(e); err != nil {
				res.RunEvalErrors = append(res.RunEvalErrors, fmt.Errorf("run evaluator %q: %w", ev.name, err))
				continue
			}
			if res.DatasetRunID != "" {
				err := langfuse.CreateScore(ctx, langfuse.Score{Name: e.Name, Value: e.Value, DataType: e.DataType,
					DatasetRunID: res.DatasetRunID, Comment: e.Comment, ConfigID: e.ConfigID, Metadata: e.Metadata})
				if err != nil {
					res.RunEvalErrors = append(res.RunEvalErrors, fmt.Errorf("run evaluator %q: %w", ev.name, err))
					continue
				}
			}
			res.RunEvaluations = append(res.RunEvaluations, e)
		}
	}
	return res, nil
}

// run is one Run's state shared by its workers.
type run[In, Exp, Out any] struct {
	s          *settings
	name       string
	runName    string
	task       Task[In, Exp, Out]
	evs        []Evaluator[In, Exp, Out]
	expMeta    []entry
	fallbackID string // the experiment id when no dataset run names it

	mu    sync.Mutex
	runID string
}

func (x *run[In, Exp, Out]) noteRunID(id string) {
	x.mu.Lock()
	if x.runID == "" {
		x.runID = id
	}
	x.mu.Unlock()
}

func (x *run[In, Exp, Out]) datasetRunID() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.runID
}

// errGoexit is the error of an item whose task or evaluator ended its
// goroutine with runtime.Goexit, as t.FailNow does.
var errGoexit = errors.New("runtime.Goexit called (t.FailNow or t.Fatal in a task or evaluator?)")

// item runs one item into res. res is complete when item returns, and
// when a task or evaluator ends the goroutine with runtime.Goexit.
func (x *run[In, Exp, Out]) item(ctx context.Context, it Item[In, Exp], res *ItemResult[In, Exp, Out]) {
	res.Item = it
	datasetID := it.DatasetID
	if datasetID == "" {
		datasetID = x.s.datasetID
	}
	meta := make(map[string]any, len(it.Metadata)+len(x.s.metadata)+4)
	for k, v := range it.Metadata {
		meta[k] = v
	}
	for k, v := range x.s.metadata {
		meta[k] = v
	}
	meta["experiment_name"] = x.name
	meta["experiment_run_name"] = x.runName
	if it.DatasetID != "" {
		meta["dataset_id"] = it.DatasetID
		meta["dataset_item_id"] = it.ID
	}
	rctx, root := observe.Start(ctx, rootName, observe.WithInput(it.Input), observe.WithMetadata(meta))
	res.TraceID, res.ObservationID = root.TraceID(), root.ID()
	taskDone, finished := false, false
	defer func() {
		if finished {
			return
		}
		if !taskDone {
			res.Err = errGoexit
			root.RecordError(errGoexit)
		} else {
			res.EvalErrors = append(res.EvalErrors, errGoexit)
		}
		root.End()
	}()

	expID := x.fallbackID
	if it.DatasetID != "" && it.ID != "" && root.IsRecording() {
		runID, err := langfuse.CreateDatasetRunItem(ctx, langfuse.DatasetRunItem{
			RunName: x.runName, RunDescription: x.s.description, Metadata: x.s.metadata,
			DatasetItemID: it.ID, TraceID: res.TraceID, ObservationID: res.ObservationID, DatasetVersion: it.Version,
		})
		if err != nil {
			res.LinkErr = err
		} else {
			expID = runID
			x.noteRunID(runID)
		}
	}

	entries := []entry{
		{semconv.BaggageExperimentID, semconv.ExperimentID, expID},
		{semconv.BaggageExperimentName, semconv.ExperimentName, x.runName},
		{semconv.BaggageExperimentDatasetID, semconv.ExperimentDatasetID, datasetID},
	}
	if x.s.environment != "" {
		entries = append(entries, entry{semconv.BaggageEnvironment, semconv.Environment, x.s.environment})
	}
	entries = append(entries, x.expMeta...)
	entries = append(entries,
		entry{semconv.BaggageExperimentItemID, semconv.ExperimentItemID, it.id()},
		entry{semconv.BaggageExperimentItemRootObservationID, semconv.ExperimentItemRootObservationID, res.ObservationID},
	)
	if !it.Version.IsZero() {
		entries = append(entries, entry{semconv.BaggageExperimentItemVersion, semconv.ExperimentItemVersion,
			it.Version.UTC().Format("2006-01-02T15:04:05.000Z")})
	}
	itemMeta, _ := metadataEntries(it.Metadata, semconv.BaggageExperimentItemMetadataPrefix, semconv.ExperimentItemMetadataPrefix)
	entries = append(entries, itemMeta...)
	tctx, kvs := withEntries(rctx, entries)
	if span := root.Span(); root.IsRecording() {
		// The root started before its experiment id was known: it gets
		// what its children get from baggage directly, and what only
		// the root carries.
		if x.s.description != "" {
			kvs = append(kvs, attribute.String(semconv.ExperimentDescription, x.s.description))
		}
		if exp, ok := expectedText(it.Expected); ok {
			kvs = append(kvs, attribute.String(semconv.ExperimentItemExpectedOutput, exp))
		}
		span.SetAttributes(kvs...)
	}

	out, err := callTask(tctx, x.task, it)
	taskDone = true
	if err != nil {
		root.RecordError(err)
		root.End()
		res.Err = err
		finished = true
		return
	}
	root.End(observe.WithOutput(out))
	res.Output = out
	for _, ev := range x.evs {
		x.evaluate(tctx, root, ev, res)
	}
	finished = true
}

// evaluate runs ev on res in an evaluator observation of the item's trace
// and scores the item's root observation with what it gives.
func (x *run[In, Exp, Out]) evaluate(ctx context.Context, root *observe.Observation, ev Evaluator[In, Exp, Out], res *ItemResult[In, Exp, Out]) {
	input := map[string]any{"input": res.Item.Input, "output": res.Output, "expected_output": res.Item.Expected}
	if res.Item.Metadata != nil {
		input["metadata"] = res.Item.Metadata
	}
	ectx, eo := observe.Start(ctx, ev.name, observe.AsType(observe.TypeEvaluator), observe.WithInput(input))
	defer eo.End() // ends it on runtime.Goexit too; a second End changes nothing
	evals, err := callEval(ectx, ev, *res)
	if err != nil {
		eo.RecordError(err)
		eo.End()
		res.EvalErrors = append(res.EvalErrors, fmt.Errorf("evaluator %q: %w", ev.name, err))
		return
	}
	eo.End(observe.WithOutput(evals))
	for _, e := range evals {
		err := checkEvaluation(e)
		if err == nil {
			opts := []observe.ScoreOption{observe.WithScoreDataType(e.DataType)}
			if e.Comment != "" {
				opts = append(opts, observe.WithComment(e.Comment))
			}
			if e.ConfigID != "" {
				opts = append(opts, observe.WithScoreConfigID(e.ConfigID))
			}
			if e.Metadata != nil {
				opts = append(opts, observe.WithScoreMetadata(e.Metadata))
			}
			err = root.Score(e.Name, e.Value, opts...)
		}
		if err != nil {
			res.EvalErrors = append(res.EvalErrors, fmt.Errorf("evaluator %q: %w", ev.name, err))
			continue
		}
		res.Evaluations = append(res.Evaluations, e)
	}
}

// callTask calls task, turning a panic into a *PanicError.
func callTask[In, Exp, Out any](ctx context.Context, task Task[In, Exp, Out], it Item[In, Exp]) (out Out, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero Out
			out, err = zero, recovered(p)
		}
	}()
	return task(ctx, it)
}

// callEval calls ev, turning a panic into a *PanicError.
func callEval[In, Exp, Out any](ctx context.Context, ev Evaluator[In, Exp, Out], r ItemResult[In, Exp, Out]) (evals []Evaluation, err error) {
	defer func() {
		if p := recover(); p != nil {
			evals, err = nil, recovered(p)
		}
	}()
	return ev.fn(ctx, r)
}

// callRunEval calls ev, turning a panic into a *PanicError.
func callRunEval[In, Exp, Out any](ctx context.Context, ev RunEvaluator[In, Exp, Out], items []ItemResult[In, Exp, Out]) (evals []Evaluation, err error) {
	defer func() {
		if p := recover(); p != nil {
			evals, err = nil, recovered(p)
		}
	}()
	return ev.fn(ctx, items)
}

// checkEvaluation reports an evaluation that cannot be a score.
func checkEvaluation(e Evaluation) error {
	if e.Name == "" {
		return fmt.Errorf("%w: an evaluation without a name", langfuse.ErrInvalidScore)
	}
	switch v := e.Value.(type) {
	case string, bool:
		return nil
	default:
		f, ok := number(v)
		if !ok {
			return fmt.Errorf("%w: evaluation %q: value of type %T is not a number, a bool or a string", langfuse.ErrInvalidScore, e.Name, e.Value)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: evaluation %q: value %v is not a finite number", langfuse.ErrInvalidScore, e.Name, f)
		}
	}
	return nil
}

// expectedText is the expected output as the root span records it: a
// string as it is, anything else as JSON; none for a zero value.
func expectedText[Exp any](v Exp) (string, bool) {
	rv := reflect.ValueOf(&v).Elem()
	if rv.IsZero() {
		return "", false
	}
	var s string
	if str, ok := any(v).(string); ok {
		s = str
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			return "", false
		}
		s = string(b)
	}
	if len(s) > maxExpectedBytes {
		s = s[:maxExpectedBytes] + "…"
	}
	return s, true
}
