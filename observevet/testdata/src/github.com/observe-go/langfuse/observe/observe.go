// Package observe is a stub of the library's observe package for the
// analyzer's tests: the signatures the checks look for, no behaviour.
package observe

import "context"

type Option interface{ apply() }

type ScoreOption struct{}

type Type string

type Observation struct{}

func Start(ctx context.Context, name string, opts ...Option) (context.Context, *Observation) {
	return ctx, &Observation{}
}

func StartObservation(ctx context.Context, name string, opts ...Option) *Observation {
	return &Observation{}
}

func CreateEvent(ctx context.Context, name string, opts ...Option) *Observation {
	return &Observation{}
}

func Current(ctx context.Context) *Observation { return &Observation{} }

func WithOutput(v any) Option { return nil }

func (o *Observation) Start(ctx context.Context, name string, opts ...Option) (context.Context, *Observation) {
	return ctx, &Observation{}
}

func (o *Observation) StartObservation(name string, opts ...Option) *Observation {
	return &Observation{}
}

func (o *Observation) Update(opts ...Option) *Observation                      { return o }
func (o *Observation) SetTraceIO(input, output any) *Observation               { return o }
func (o *Observation) RecordError(err error)                                   {}
func (o *Observation) End(opts ...Option)                                      {}
func (o *Observation) TraceID() string                                         { return "" }
func (o *Observation) ID() string                                              { return "" }
func (o *Observation) Type() Type                                              { return "" }
func (o *Observation) Context(ctx context.Context) context.Context             { return ctx }
func (o *Observation) Score(name string, value any, opts ...ScoreOption) error { return nil }
