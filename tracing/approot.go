package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/semconv"
)

// appRootProcessor is the first stage of an ExportProcessor: it hands the
// ended, sampled spans its filter keeps to next, and marks a kept span
// whose parent is not kept with langfuse.internal.is_app_root when it
// starts, so that Langfuse shows it as the top of the application's part
// of the trace. It is safe for concurrent use.
type appRootProcessor struct {
	filter Filter
	next   sdktrace.SpanProcessor
}

var _ sdktrace.SpanProcessor = appRootProcessor{}

// OnStart marks s as an application root when s will be exported but its
// parent will not: a remote parent, or a local span the filter drops.
//
// The parent is the span in ctx, which must be the SDK's own span: the
// SDK's spans are sdktrace.ReadOnlySpans, and a span that wraps one hides
// it, so that no mark is set (TestSpanInContextIsReadOnlySpan pins this).
func (p appRootProcessor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	p.next.OnStart(ctx, s)
	psc := s.Parent()
	if !psc.IsValid() || !p.filter(s) {
		return
	}
	if !psc.IsRemote() {
		parent, ok := trace.SpanFromContext(ctx).(sdktrace.ReadOnlySpan)
		if !ok || parent.SpanContext().SpanID() != psc.SpanID() || p.filter(parent) {
			return
		}
	}
	s.SetAttributes(attribute.Bool(semconv.IsAppRoot, true))
}

// OnEnd hands s to the next processor if it is sampled and the filter
// keeps it.
func (p appRootProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if s.SpanContext().IsSampled() && p.filter(s) {
		p.next.OnEnd(s)
	}
}

// Shutdown shuts the next processor down.
func (p appRootProcessor) Shutdown(ctx context.Context) error { return p.next.Shutdown(ctx) }

// ForceFlush flushes the next processor.
func (p appRootProcessor) ForceFlush(ctx context.Context) error { return p.next.ForceFlush(ctx) }
