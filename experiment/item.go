package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"time"
)

// Item is one input of an experiment, with the output expected for it.
// Items of a Langfuse dataset come from FetchDataset or Items; local ones
// are written in the program or the test.
type Item[In, Exp any] struct {
	// ID identifies the item across runs. For an item of a Langfuse
	// dataset it is the dataset item's id; for a local item "" stands for
	// the first 16 hex digits of the SHA-256 of its input (the input
	// itself when a string, else its JSON), as the official SDKs make it.
	ID       string
	Input    In
	Expected Exp
	// Metadata is recorded on the item's root observation, and, one value
	// of at most 200 characters per key (nested maps flattened with '.'),
	// on every span of its trace as langfuse.experiment.item.metadata.*.
	Metadata map[string]any
	// DatasetID is the Langfuse dataset the item belongs to; Run links
	// the item's trace to the dataset item when it is set (and ID is).
	DatasetID string
	// Version is the dataset version the item was fetched at; zero for
	// the latest, and for local items.
	Version time.Time
}

// id returns the item's id, or the one made from its input.
func (it *Item[In, Exp]) id() string {
	if it.ID != "" {
		return it.ID
	}
	var text []byte
	if s, ok := any(it.Input).(string); ok {
		text = []byte(s)
	} else if b, err := json.Marshal(it.Input); err == nil {
		text = b
	} else {
		text = fmt.Appendf(nil, "%#v", it.Input)
	}
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:8])
}

// Task is the program under test: it turns an item's input into an
// output. It runs with a ctx in which the item's root observation is
// current, so observations and LLM calls it makes nest in the item's
// trace; the item itself gives it the expected output and metadata too.
type Task[In, Exp, Out any] func(ctx context.Context, item Item[In, Exp]) (Out, error)

// Evaluation is one score an evaluator gives an item or a run. It becomes
// a Langfuse score: on the item's root observation, or on the dataset run.
type Evaluation struct {
	Name string `json:"name"`
	// Value is a number (any integer or float kind), a bool or a string,
	// as in langfuse.Score.
	Value    any            `json:"value"`
	Comment  string         `json:"comment,omitempty"`
	DataType string         `json:"dataType,omitempty"` // "NUMERIC", "BOOLEAN" or "CATEGORICAL"; "" follows Value
	ConfigID string         `json:"configId,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// ItemResult is what became of one item: the task's output or error, the
// item's trace, and its evaluations.
type ItemResult[In, Exp, Out any] struct {
	Item Item[In, Exp]
	// Output is the task's output; the zero value when Err is set.
	Output Out
	// Err is the task's error, or a *PanicError when it panicked.
	// Evaluators do not run on an item whose task failed.
	Err error
	// TraceID and ObservationID name the item's trace and its root
	// observation, where its scores are.
	TraceID       string
	ObservationID string
	// Evaluations are the scores the evaluators gave, in evaluator order.
	Evaluations []Evaluation
	// EvalErrors are the failures of evaluators on this item (an error,
	// a panic, a malformed evaluation), each naming its evaluator.
	EvalErrors []error
	// LinkErr is set when the item's trace could not be linked to its
	// dataset item (the dataset run item); the trace still carries the
	// experiment's attributes.
	LinkErr error
}

// Evaluation returns the evaluation named name, and whether there is one.
func (r *ItemResult[In, Exp, Out]) Evaluation(name string) (Evaluation, bool) {
	for _, e := range r.Evaluations {
		if e.Name == name {
			return e, true
		}
	}
	return Evaluation{}, false
}

// EvalFunc scores one item's result. It runs only when the item's task
// succeeded, with a ctx in which an evaluator observation in the item's
// trace is current: an LLM judge's generation nests there.
type EvalFunc[In, Exp, Out any] func(ctx context.Context, r ItemResult[In, Exp, Out]) ([]Evaluation, error)

// Evaluator is a named EvalFunc; its name names the evaluator observation
// in the item's trace and its failures. Make one with NewEvaluator, or use
// the evaluators of this package.
type Evaluator[In, Exp, Out any] struct {
	name string
	fn   EvalFunc[In, Exp, Out]
}

// NewEvaluator returns the evaluator name that scores with fn.
func NewEvaluator[In, Exp, Out any](name string, fn EvalFunc[In, Exp, Out]) Evaluator[In, Exp, Out] {
	return Evaluator[In, Exp, Out]{name: name, fn: fn}
}

// Name returns the evaluator's name.
func (e Evaluator[In, Exp, Out]) Name() string { return e.name }

// RunEvalFunc scores a whole run from the results of its items, such as
// an average. It runs once every item is done.
type RunEvalFunc[In, Exp, Out any] func(ctx context.Context, results []ItemResult[In, Exp, Out]) ([]Evaluation, error)

// RunEvaluator is a named RunEvalFunc.
type RunEvaluator[In, Exp, Out any] struct {
	name string
	fn   RunEvalFunc[In, Exp, Out]
}

// NewRunEvaluator returns the run evaluator name that scores with fn.
func NewRunEvaluator[In, Exp, Out any](name string, fn RunEvalFunc[In, Exp, Out]) RunEvaluator[In, Exp, Out] {
	return RunEvaluator[In, Exp, Out]{name: name, fn: fn}
}

// Name returns the run evaluator's name.
func (e RunEvaluator[In, Exp, Out]) Name() string { return e.name }

// PanicError is the error of a task or evaluator that panicked: Run
// recovers the panic, records it on the item and goes on with the other
// items, because the panic is the program's under test, not the runner's.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

// Error reads "panic: " and the value the code panicked with.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// recovered returns the *PanicError for p, the value of a recover.
func recovered(p any) *PanicError { return &PanicError{Value: p, Stack: debug.Stack()} }
