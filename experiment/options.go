package experiment

import (
	"fmt"
	"reflect"
)

// DefaultMaxConcurrency is how many items run at once unless
// WithMaxConcurrency says otherwise, as in the official SDKs.
const DefaultMaxConcurrency = 50

// Option configures Run.
type Option interface {
	apply(*settings)
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

type settings struct {
	maxConcurrency int
	runName        string
	description    string
	metadata       map[string]any
	environment    string
	datasetID      string
	evaluators     []any // []Evaluator[In, Exp, Out] of one Run's types
	runEvaluators  []any // []RunEvaluator[In, Exp, Out]
}

// WithMaxConcurrency sets how many items run at once, at least 1; the
// default is DefaultMaxConcurrency.
func WithMaxConcurrency(n int) Option {
	return optionFunc(func(s *settings) { s.maxConcurrency = n })
}

// WithRunName names the run exactly; the default is the experiment's name
// and the time it started ("capitals - 2026-05-04T10:11:12.123Z"). In a
// Langfuse dataset the run name names the dataset run, so items linked
// under one name form one run.
func WithRunName(name string) Option {
	return optionFunc(func(s *settings) { s.runName = name })
}

// WithDescription describes the experiment; it is recorded on each item's
// root span and on the dataset run.
func WithDescription(text string) Option {
	return optionFunc(func(s *settings) { s.description = text })
}

// WithMetadata records m on each item's root observation and on the
// dataset run, and, one value of at most 200 characters per key (nested
// maps flattened with '.'), on every span of every item's trace as
// langfuse.experiment.metadata.*: the model, the prompt version, what
// tells this run from the last.
func WithMetadata(m map[string]any) Option {
	return optionFunc(func(s *settings) { s.metadata = m })
}

// WithEnvironment sets the Langfuse environment of every span of the
// experiment; the default is "sdk-experiment", as the official SDKs use,
// and "" keeps the client's own. It must be lowercase letters, digits,
// '-' and '_', at most 40, and not start with "langfuse".
func WithEnvironment(env string) Option {
	return optionFunc(func(s *settings) { s.environment = env })
}

// WithDatasetID records id as the experiment's dataset on local data, as a
// stable name that ties runs over the same local items together in
// Langfuse. Items of a Langfuse dataset carry their dataset's id already.
func WithDatasetID(id string) Option {
	return optionFunc(func(s *settings) { s.datasetID = id })
}

// WithEvaluators adds evaluators that score each item whose task
// succeeded. Their types must be those of the Run they are given to; Run
// returns an error naming both otherwise.
func WithEvaluators[In, Exp, Out any](evs ...Evaluator[In, Exp, Out]) Option {
	return optionFunc(func(s *settings) {
		for _, e := range evs {
			s.evaluators = append(s.evaluators, e)
		}
	})
}

// WithRunEvaluators adds evaluators that score the whole run once every
// item is done. Their types must be those of the Run they are given to.
func WithRunEvaluators[In, Exp, Out any](evs ...RunEvaluator[In, Exp, Out]) Option {
	return optionFunc(func(s *settings) {
		for _, e := range evs {
			s.runEvaluators = append(s.runEvaluators, e)
		}
	})
}

// typed returns the evaluators of s as those of Run[In, Exp, Out], or an
// error naming the first that is of other types.
func typed[In, Exp, Out any](s *settings) ([]Evaluator[In, Exp, Out], []RunEvaluator[In, Exp, Out], error) {
	evs := make([]Evaluator[In, Exp, Out], 0, len(s.evaluators))
	for _, e := range s.evaluators {
		ev, ok := e.(Evaluator[In, Exp, Out])
		if !ok {
			return nil, nil, fmt.Errorf("experiment: evaluator of type %s does not fit Run[%s]", reflect.TypeOf(e), typeNames[In, Exp, Out]())
		}
		if ev.fn == nil {
			return nil, nil, fmt.Errorf("experiment: evaluator %q has no function", ev.name)
		}
		evs = append(evs, ev)
	}
	runEvs := make([]RunEvaluator[In, Exp, Out], 0, len(s.runEvaluators))
	for _, e := range s.runEvaluators {
		ev, ok := e.(RunEvaluator[In, Exp, Out])
		if !ok {
			return nil, nil, fmt.Errorf("experiment: run evaluator of type %s does not fit Run[%s]", reflect.TypeOf(e), typeNames[In, Exp, Out]())
		}
		if ev.fn == nil {
			return nil, nil, fmt.Errorf("experiment: run evaluator %q has no function", ev.name)
		}
		runEvs = append(runEvs, ev)
	}
	return evs, runEvs, nil
}

func typeNames[In, Exp, Out any]() string {
	return reflect.TypeFor[In]().String() + ", " + reflect.TypeFor[Exp]().String() + ", " + reflect.TypeFor[Out]().String()
}
