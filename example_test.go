package langfuse_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

func Example() {
	rec := langfusetest.NewRecorder() // tests and examples record in memory
	lf, err := langfuse.New(langfuse.WithSpanExporter(rec))
	if err != nil {
		panic(err)
	}

	retrieve := langfuse.Observe1("retrieve", func(ctx context.Context, q string) ([]string, error) {
		return []string{"Langfuse is an LLM engineering platform."}, nil
	}, observe.AsType(observe.TypeRetriever))

	answer := langfuse.Observe1("answer", func(ctx context.Context, q string) (string, error) {
		docs, err := retrieve(ctx, q)
		if err != nil {
			return "", err
		}
		return docs[0], nil
	}, observe.AsType(observe.TypeAgent))

	out, _ := answer(context.Background(), "What is Langfuse?")
	fmt.Println(out)

	_ = lf.Shutdown(context.Background()) // exports what is left
	for _, o := range rec.Observations() {
		fmt.Printf("%s (%s) input=%s output=%s\n", o.Name, o.Type, o.Input, o.Output)
	}
	// Output:
	// Langfuse is an LLM engineering platform.
	// retrieve (retriever) input=What is Langfuse? output=["Langfuse is an LLM engineering platform."]
	// answer (agent) input=What is Langfuse? output=Langfuse is an LLM engineering platform.
}

func ExampleObserve2() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	add := langfuse.Observe2("add", func(ctx context.Context, a, b int) (int, error) {
		return a + b, nil
	}, observe.AsType(observe.TypeTool), observe.ArgNames("a", "b"))

	sum, _ := add(context.Background(), 2, 3)
	_ = lf.Shutdown(context.Background())

	o, _ := rec.Find("add")
	fmt.Println(sum, o.Type, o.Input, o.Output)
	// Output: 5 tool {"a":2,"b":3} 5
}

func ExampleObserveErr() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	errDown := errors.New("index unavailable")
	reindex := langfuse.ObserveErr("reindex", func(ctx context.Context) error { return errDown })

	err := reindex(context.Background())
	_ = lf.Shutdown(context.Background())

	o, _ := rec.Find("reindex")
	fmt.Println(err == errDown, o.Level, o.StatusMessage) //nolint:errorlint // the very error fn returned, not one wrapping it
	// Output: true ERROR index unavailable
}

func ExampleObserveErr1() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	type email struct {
		To string `json:"to"`
	}
	send := langfuse.ObserveErr1("send-email", func(ctx context.Context, e email) error { return nil },
		observe.AsType(observe.TypeTool))

	err := send(context.Background(), email{To: "ada@example.com"})
	_ = lf.Shutdown(context.Background())

	o, _ := rec.Find("send-email")
	fmt.Println(err, o.Type, o.Input)
	// Output: <nil> tool {"to":"ada@example.com"}
}

func ExampleObserveCtx_panic() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	risky := langfuse.ObserveCtx("risky", func(ctx context.Context) (int, error) {
		panic("out of range")
	})
	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		_, _ = risky(context.Background())
	}()
	_ = lf.Shutdown(context.Background())

	o, _ := rec.Find("risky")
	fmt.Println(o.Level, o.StatusMessage)
	// Output:
	// recovered: out of range
	// ERROR panic: out of range
}

func ExampleNew() {
	// With LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY set, traces go to
	// Langfuse; without them they are printed to stderr.
	lf, err := langfuse.New()
	if err != nil {
		fmt.Println(err) // names the malformed variable
		return
	}
	defer func() { _ = lf.Shutdown(context.Background()) }()
	fmt.Println(strings.HasPrefix(langfuse.Version, "0."))
	// Output: true
}
