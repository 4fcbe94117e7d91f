// Package wrapped holds functions given to the langfuse wrappers and Run,
// some starting work from a fresh context.
package wrapped

import (
	"context"
	"iter"
	"time"

	"github.com/observe-go/langfuse"
)

func llm(ctx context.Context, q string) (string, error) { return q, nil }

func store(ctx context.Context, q string) error { return nil }

var Answer = langfuse.Observe1("answer", func(ctx context.Context, q string) (string, error) {
	return llm(context.Background(), q) // want `pass ctx instead of context.Background\(\): the work would start a new trace`
})

var Todo = langfuse.ObserveCtx("todo", func(ctx context.Context) (string, error) {
	return llm(context.TODO(), "q") // want `pass ctx instead of context.TODO\(\)`
})

var Two = langfuse.Observe2("two", func(c context.Context, a, b string) (string, error) {
	// A derived context still starts from nothing.
	tctx, cancel := context.WithTimeout(context.Background(), time.Second) // want `pass c instead of context.Background\(\)`
	defer cancel()
	return llm(tctx, a+b)
})

var Three = langfuse.Observe3("three", func(ctx context.Context, a, b, c int) (int, error) {
	go func() { _ = store(context.Background(), "later") }() // want `pass ctx instead of context.Background\(\)`
	return a + b + c, nil
})

var Err = langfuse.ObserveErr("err", func(ctx context.Context) error {
	return store(context.Background(), "x") // want `pass ctx instead`
})

var Err1 = langfuse.ObserveErr1("err1", func(ctx context.Context, q string) error {
	return store(context.TODO(), q) // want `pass ctx instead of context.TODO\(\)`
})

var Seq = langfuse.ObserveSeq("seq", func(ctx context.Context, q string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		s, err := llm(context.Background(), q) // want `pass ctx instead`
		yield(s, err)
	}
})

// Unnamed is given a ctx it cannot name.
var Unnamed = langfuse.ObserveErr("unnamed", func(_ context.Context) error {
	return store(context.Background(), "x") // want `name the context.Context parameter and pass it instead of context.Background\(\)`
})

func RunBody(ctx context.Context) (string, error) {
	// The ctx given to Run itself is the caller's business.
	return langfuse.Run(context.Background(), "run", func(ctx context.Context) (string, error) {
		return llm(context.Background(), "q") // want `pass ctx instead of context.Background\(\)`
	})
}

// answerNamed is wrapped by name below.
func answerNamed(ctx context.Context, q string) (string, error) {
	return llm(context.Background(), q) // want `pass ctx instead of context.Background\(\)`
}

var Named = langfuse.Observe1("named", answerNamed)

// Wrapped twice, reported once.
var NamedAgain = langfuse.Observe1("named-again", answerNamed)

type service struct{}

func (s *service) lookup(ctx context.Context, id int) (string, error) {
	return llm(context.TODO(), "id") // want `pass ctx instead of context.TODO\(\)`
}

func (s *service) Wrap() func(context.Context, int) (string, error) {
	return langfuse.Observe1("lookup", s.lookup)
}

func generic[T any](ctx context.Context, v T) (T, error) {
	_, err := llm(context.Background(), "g") // want `pass ctx instead`
	return v, err
}

var Generic = langfuse.Observe1("generic", generic[int])

// Nested wrappers: the inner call is reported once.
var Outer = langfuse.ObserveCtx("outer", func(ctx context.Context) (string, error) {
	inner := langfuse.ObserveCtx("inner", func(ctx context.Context) (string, error) {
		return llm(context.Background(), "q") // want `pass ctx instead`
	})
	return inner(ctx)
})

// Not reported: the function passes its ctx, or derives from it.
var Good = langfuse.Observe1("good", func(ctx context.Context, q string) (string, error) {
	go func() { _ = store(context.WithoutCancel(ctx), q) }()
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return llm(tctx, q)
})

var client *langfuse.Client

// Not reported: the context of a Flush only bounds the wait.
var Flushing = langfuse.ObserveErr("flushing", func(ctx context.Context) error {
	defer client.Flush(context.Background())
	return store(ctx, "x")
})

// Not reported: context.Background outside any wrapped function.
func Plain(q string) (string, error) {
	return llm(context.Background(), q)
}

// Not reported: a function value whose body this package cannot see.
var Indirect = langfuse.Observe1("indirect", pick())

func pick() func(context.Context, string) (string, error) { return llm }

// Not reported: a function returning a context, handed to no wrapper.
var fresh = func(ctx context.Context) context.Context { return context.Background() }
