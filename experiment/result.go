package experiment

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Result is what a run gave: every item's result in the order of the
// items, and the run's evaluations. Its methods read it only; a Result is
// safe for concurrent reading.
type Result[In, Exp, Out any] struct {
	Name        string
	RunName     string
	Description string
	// ExperimentID is the id every span of the run carries: the dataset
	// run's id for items of a Langfuse dataset, else one made for the run.
	ExperimentID string
	// DatasetRunID is the id of the Langfuse dataset run the items were
	// linked in; "" on local data.
	DatasetRunID string
	// Items are the results of the items that ran, in the items' order.
	Items []ItemResult[In, Exp, Out]
	// NotRun counts the items that did not start because ctx ended.
	NotRun int
	// RunEvaluations are the scores of the run evaluators.
	RunEvaluations []Evaluation
	// RunEvalErrors are the failures of run evaluators.
	RunEvalErrors []error
	// Warnings name what the run could not record as asked, such as
	// experiment metadata too long to go on every span.
	Warnings []string
}

// Failed returns the items whose task failed.
func (r *Result[In, Exp, Out]) Failed() []ItemResult[In, Exp, Out] {
	var out []ItemResult[In, Exp, Out]
	for _, it := range r.Items {
		if it.Err != nil {
			out = append(out, it)
		}
	}
	return out
}

// Mean returns the mean of the evaluations named name over the items that
// have one (a bool counts as 0 or 1), and how many have one. Strings are
// not counted.
func (r *Result[In, Exp, Out]) Mean(name string) (mean float64, n int) {
	var sum float64
	for i := range r.Items {
		if e, ok := r.Items[i].Evaluation(name); ok {
			if f, ok := number(e.Value); ok {
				sum += f
				n++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}

// RunEvaluation returns the run evaluation named name, and whether there
// is one.
func (r *Result[In, Exp, Out]) RunEvaluation(name string) (Evaluation, bool) {
	for _, e := range r.RunEvaluations {
		if e.Name == name {
			return e, true
		}
	}
	return Evaluation{}, false
}

// String returns Summary().
func (r *Result[In, Exp, Out]) String() string { return r.Summary() }

// Summary describes the run in a few lines: its name, how many items ran
// and failed, the mean of each item evaluation, the run evaluations, the
// failed items, and the warnings.
func (r *Result[In, Exp, Out]) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "experiment %q, run %q: %d items", r.Name, r.RunName, len(r.Items))
	if f := len(r.Failed()); f > 0 {
		fmt.Fprintf(&b, ", %d failed", f)
	}
	if r.NotRun > 0 {
		fmt.Fprintf(&b, ", %d not run", r.NotRun)
	}
	b.WriteByte('\n')
	if r.DatasetRunID != "" {
		fmt.Fprintf(&b, "  dataset run %s\n", r.DatasetRunID)
	}
	for _, name := range r.evaluationNames() {
		if mean, n := r.Mean(name); n > 0 {
			fmt.Fprintf(&b, "  %s: mean %s over %d items\n", name, format(mean), n)
		} else {
			fmt.Fprintf(&b, "  %s: not numeric\n", name)
		}
	}
	for _, e := range r.RunEvaluations {
		fmt.Fprintf(&b, "  run %s: %s\n", e.Name, value(e.Value))
	}
	for _, it := range r.Items {
		id := it.Item.id()
		if it.Err != nil {
			fmt.Fprintf(&b, "  item %s failed: %s\n", id, oneLine(it.Err.Error()))
		}
		for _, err := range it.EvalErrors {
			fmt.Fprintf(&b, "  item %s: %s\n", id, oneLine(err.Error()))
		}
	}
	for _, err := range r.RunEvalErrors {
		fmt.Fprintf(&b, "  %s\n", oneLine(err.Error()))
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "  warning: %s\n", w)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// evaluationNames returns the names of the item evaluations in the order
// they first appear.
func (r *Result[In, Exp, Out]) evaluationNames() []string {
	var names []string
	for _, it := range r.Items {
		for _, e := range it.Evaluations {
			if !slices.Contains(names, e.Name) {
				names = append(names, e.Name)
			}
		}
	}
	return names
}

// Criterion is one condition a run must meet: see MinScore, MinRunScore
// and MaxFailures.
type Criterion interface {
	// check returns a line per way the run falls short, the first naming
	// the criterion.
	check(v view) []string
}

// view is what the criteria read of a Result, whatever its types.
type view struct {
	items   []itemView
	runEval []Evaluation
}

type itemView struct {
	id       string
	err      error
	evals    []Evaluation
	output   string
	expected string
}

func (r *Result[In, Exp, Out]) view() view {
	v := view{runEval: r.RunEvaluations}
	for _, it := range r.Items {
		iv := itemView{id: it.Item.id(), err: it.Err, evals: it.Evaluations}
		if it.Err == nil {
			iv.output = short(show(it.Output))
		}
		iv.expected = short(show(it.Item.Expected))
		v.items = append(v.items, iv)
	}
	return v
}

// MinScore requires the mean of the item evaluations named name to be at
// least min, counting an item without that evaluation (its task or
// evaluator failed) as 0, and a bool as 0 or 1. When it falls short, the
// items below min are named, with their outputs and expected outputs.
func MinScore(name string, min float64) Criterion { return minScore{name, min} }

type minScore struct {
	name string
	min  float64
}

func (c minScore) check(v view) []string {
	var sum float64
	var below []string
	for _, it := range v.items {
		f, why := 0.0, ""
		switch {
		case it.err != nil:
			why = "failed: " + oneLine(it.err.Error())
		default:
			e, ok := evalNamed(it.evals, c.name)
			if !ok {
				why = "no " + c.name + " score"
			} else if n, ok := number(e.Value); ok {
				f = n
				if f < c.min {
					why = c.name + " " + format(f)
					if e.Comment != "" {
						why += " (" + short(oneLine(e.Comment)) + ")"
					}
				}
			} else {
				why = c.name + " " + value(e.Value) + " is not numeric"
			}
		}
		sum += f
		if why != "" {
			line := "item " + it.id + ": " + why
			if it.err == nil {
				line += "; output " + it.output + ", expected " + it.expected
			}
			below = append(below, line)
		}
	}
	if len(v.items) == 0 {
		return []string{fmt.Sprintf("%s: no items ran, so no mean to hold to %s", c.name, format(c.min))}
	}
	mean := sum / float64(len(v.items))
	if mean >= c.min {
		return nil
	}
	return append([]string{fmt.Sprintf("%s: mean %s over %d items is below %s", c.name, format(mean), len(v.items), format(c.min))}, capped(below)...)
}

// MinRunScore requires the run evaluation named name to be at least min.
func MinRunScore(name string, min float64) Criterion { return minRunScore{name, min} }

type minRunScore struct {
	name string
	min  float64
}

func (c minRunScore) check(v view) []string {
	e, ok := evalNamed(v.runEval, c.name)
	if !ok {
		return []string{"run " + c.name + ": no such run evaluation"}
	}
	f, ok := number(e.Value)
	switch {
	case !ok:
		return []string{"run " + c.name + ": " + value(e.Value) + " is not numeric"}
	case f < c.min:
		return []string{fmt.Sprintf("run %s: %s is below %s", c.name, format(f), format(c.min))}
	}
	return nil
}

// MaxFailures allows at most n items whose task failed; the failed items
// are named.
func MaxFailures(n int) Criterion { return maxFailures(n) }

type maxFailures int

func (c maxFailures) check(v view) []string {
	var failed []string
	for _, it := range v.items {
		if it.err != nil {
			failed = append(failed, "item "+it.id+": "+oneLine(it.err.Error()))
		}
	}
	if len(failed) <= int(c) {
		return nil
	}
	return append([]string{fmt.Sprintf("%d items failed, more than %d", len(failed), int(c))}, capped(failed)...)
}

// Check returns nil when r meets every criterion, else an error that
// says, line by line, which it falls short of and which items do.
func (r *Result[In, Exp, Out]) Check(criteria ...Criterion) error {
	v := r.view()
	var lines []string
	for _, c := range criteria {
		if c != nil {
			lines = append(lines, c.check(v)...)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return errors.New("experiment " + strconv.Quote(r.Name) + " fell short:\n  " + strings.Join(lines, "\n  "))
}

// Require fails t, stopping the test, unless r meets every criterion; the
// message names each criterion missed and the items below it, followed
// by the run's summary. For go test:
//
//	res, err := experiment.Run(ctx, "capitals", items, answer, experiment.WithEvaluators(experiment.ExactMatch[string, string]()))
//	require.NoError(t, err)
//	res.Require(t, experiment.MinScore("exact_match", 0.9))
func (r *Result[In, Exp, Out]) Require(t testing.TB, criteria ...Criterion) {
	t.Helper()
	if err := r.Check(criteria...); err != nil {
		t.Fatalf("%v\n%s", err, r.Summary())
	}
}

// maxNamed bounds the items a criterion names.
const maxNamed = 20

func capped(lines []string) []string {
	if len(lines) <= maxNamed {
		return lines
	}
	return append(lines[:maxNamed:maxNamed], fmt.Sprintf("... and %d more", len(lines)-maxNamed))
}

func evalNamed(evals []Evaluation, name string) (Evaluation, bool) {
	for _, e := range evals {
		if e.Name == name {
			return e, true
		}
	}
	return Evaluation{}, false
}

// number returns v as a float64 when it is a number of a Go number kind
// or a bool (0 or 1).
func number(v any) (float64, bool) {
	if b, ok := v.(bool); ok {
		if b {
			return 1, true
		}
		return 0, true
	}
	switch r := reflect.ValueOf(v); {
	case r.CanFloat():
		return r.Float(), true
	case r.CanInt():
		return float64(r.Int()), true
	case r.CanUint():
		return float64(r.Uint()), true
	}
	return 0, false
}

func format(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }

func value(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	if f, ok := number(v); ok {
		if _, isBool := v.(bool); isBool {
			return strconv.FormatBool(f == 1)
		}
		return format(f)
	}
	return fmt.Sprintf("%v", v)
}

// show is v as a message shows it: a string quoted, else JSON.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return text(v)
}

// short cuts s to 80 characters for a line of a message.
func short(s string) string {
	s = oneLine(s)
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:79]) + "…"
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
