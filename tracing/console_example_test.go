package tracing_test

import (
	"context"
	"os"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/tracing"
)

func ExampleNewConsoleExporter() {
	exporter := tracing.NewConsoleExporter(os.Stdout, tracing.WithoutDurations())
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracer := tp.Tracer("langfuse-sdk")

	// The request arrived with a W3C traceparent header, so the trace id
	// is the caller's.
	carrier := propagation.MapCarrier{"traceparent": "00-115ae872eb1d3e23f9de03f7ab344193-00f067aa0ba902b7-01"}
	ctx := propagation.TraceContext{}.Extract(context.Background(), carrier)

	ctx, agent := tracer.Start(ctx, "answer-question", trace.WithAttributes(
		attribute.String("langfuse.observation.type", "agent"),
		attribute.String("langfuse.trace.name", "support-chat"),
		attribute.String("user.id", "u-1"),
		attribute.String("langfuse.observation.input", "What is the capital of France?"),
	))
	_, retrieve := tracer.Start(ctx, "retrieve", trace.WithAttributes(
		attribute.String("langfuse.observation.type", "retriever"),
	))
	retrieve.End()
	_, llm := tracer.Start(ctx, "llm-call", trace.WithAttributes(
		attribute.String("langfuse.observation.type", "generation"),
		attribute.String("langfuse.observation.model.name", "gpt-4o"),
		attribute.String("langfuse.observation.usage_details", `{"input":10,"output":20}`),
	))
	llm.SetStatus(codes.Error, "rate limited")
	llm.End()
	agent.SetAttributes(attribute.String("langfuse.observation.output", "Paris"))
	agent.End()

	// Output:
	// trace 115ae872eb1d3e23f9de03f7ab344193  "support-chat"  user=u-1
	// └─ answer-question  agent  (remote parent 00f067aa0ba902b7)
	//    │  input:  "What is the capital of France?"
	//    │  output: "Paris"
	//    ├─ retrieve  retriever
	//    └─ llm-call  generation  model=gpt-4o usage={"input":10,"output":20}
	//          level=ERROR "rate limited"
}
