package observe_test

import (
	"context"
	"fmt"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

func ExampleStart() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	ctx, agent := observe.Start(context.Background(), "support-agent", observe.AsType(observe.TypeAgent))
	_, gen := observe.Start(ctx, "llm-call",
		observe.AsType(observe.TypeGeneration),
		observe.WithModel("gpt-4o"),
		observe.WithInput("Where is my order?"))
	gen.End(observe.WithOutput("It ships today."),
		observe.WithUsage(map[string]int{"input": 5, "output": 4}))
	agent.End()
	_ = lf.Shutdown(context.Background())

	for _, o := range rec.Observations() {
		fmt.Println(o.Name, o.Type, o.Output)
	}
	// Output:
	// llm-call generation It ships today.
	// support-agent agent
}

func ExamplePropagateAttributes() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{
		UserID: "user-42", SessionID: "chat-7", Tags: []string{"beta"},
	})
	_, o := observe.Start(ctx, "turn")
	o.End()
	_ = lf.Shutdown(context.Background())

	got, _ := rec.Find("turn")
	fmt.Println(got.Attr("user.id"), got.Attr("session.id"), got.Attr("langfuse.trace.tags"))
	// Output: user-42 chat-7 ["beta"]
}

func ExampleCreateTraceID() {
	fmt.Println(observe.CreateTraceID("test-identifier"))
	// Output: 115ae872eb1d3e23f9de03f7ab344193
}
