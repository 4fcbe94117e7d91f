// Package langfuse is a stub of the library's root package for the
// analyzer's tests: the signatures the checks look for, no behaviour.
package langfuse

import (
	"context"
	"iter"

	"github.com/observe-go/langfuse/observe"
)

type Option interface{ apply() }

type Client struct{}

type Stats struct{ Exported uint64 }

func New(opts ...Option) (*Client, error) { return &Client{}, nil }

func (c *Client) Flush(ctx context.Context) error             { return nil }
func (c *Client) Shutdown(ctx context.Context) error          { return nil }
func (c *Client) Context(ctx context.Context) context.Context { return ctx }
func (c *Client) Stats() Stats                                { return Stats{} }

func ObserveCtx[R any](name string, fn func(context.Context) (R, error), opts ...observe.Option) func(context.Context) (R, error) {
	return fn
}

func Observe1[A, R any](name string, fn func(context.Context, A) (R, error), opts ...observe.Option) func(context.Context, A) (R, error) {
	return fn
}

func Observe2[A, B, R any](name string, fn func(context.Context, A, B) (R, error), opts ...observe.Option) func(context.Context, A, B) (R, error) {
	return fn
}

func Observe3[A, B, C, R any](name string, fn func(context.Context, A, B, C) (R, error), opts ...observe.Option) func(context.Context, A, B, C) (R, error) {
	return fn
}

func ObserveErr(name string, fn func(context.Context) error, opts ...observe.Option) func(context.Context) error {
	return fn
}

func ObserveErr1[A any](name string, fn func(context.Context, A) error, opts ...observe.Option) func(context.Context, A) error {
	return fn
}

func ObserveSeq[A, T any](name string, fn func(context.Context, A) iter.Seq2[T, error], opts ...observe.Option) func(context.Context, A) iter.Seq2[T, error] {
	return fn
}

func Run[R any](ctx context.Context, name string, fn func(context.Context) (R, error), opts ...observe.Option) (R, error) {
	return fn(ctx)
}
