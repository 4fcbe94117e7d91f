package tracing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

// TestSpanInContextIsReadOnlySpan pins the OpenTelemetry behaviour that
// langfuse.internal.is_app_root rests on: the span the SDK puts in a ctx
// is an sdktrace.ReadOnlySpan, so that ExportProcessor.OnStart can ask
// its filter whether a new span's parent will be exported. It uses the
// SDK alone: a parent of a scope the default filter drops, and a child
// of scope langfuse-sdk, which must be marked.
func TestSpanInContextIsReadOnlySpan(t *testing.T) {
	exp := newChanExporter()
	p := tracing.NewExportProcessor(testConfig(config.ExportImmediate), exp)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	ctx, parent := tp.Tracer("net/http").Start(context.Background(), "GET /")
	inCtx := trace.SpanFromContext(ctx)
	if _, ok := inCtx.(sdktrace.ReadOnlySpan); !ok {
		t.Fatalf("OpenTelemetry changed: the SDK's span in a ctx (%T) is no longer an sdktrace.ReadOnlySpan, "+
			"so ExportProcessor cannot see whether a parent is exported and never sets langfuse.internal.is_app_root; "+
			"find another way to tell the parent's scope and attributes at OnStart", inCtx)
	}
	_, child := tp.Tracer("langfuse-sdk").Start(ctx, "child")
	child.End()
	parent.End()

	spans := drain(exp)
	require.Len(t, spans, 1, "only the child passes the default filter")
	require.Equal(t, "child", spans[0].Name())
	assert.True(t, isAppRoot(spans[0]),
		"OpenTelemetry changed: a child of scope langfuse-sdk under a dropped SDK parent is no longer marked langfuse.internal.is_app_root")
}

// wrappedSpan hides the SDK span it wraps, as a span of another library
// might.
type wrappedSpan struct{ trace.Span }

// TestAppRootNeedsTheSDKSpanInContext checks that a span in ctx that is
// not the SDK's own is not looked into: without a parent to ask the
// filter about, the child is not marked.
func TestAppRootNeedsTheSDKSpanInContext(t *testing.T) {
	exp := newChanExporter()
	p := tracing.NewExportProcessor(testConfig(config.ExportImmediate), exp)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	ctx, parent := tp.Tracer("net/http").Start(context.Background(), "GET /")
	ctx = trace.ContextWithSpan(ctx, wrappedSpan{parent})
	_, child := tp.Tracer("langfuse-sdk").Start(ctx, "child")
	child.End()
	parent.End()

	spans := drain(exp)
	require.Len(t, spans, 1)
	assert.False(t, isAppRoot(spans[0]))
}
