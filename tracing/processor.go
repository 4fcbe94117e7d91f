package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/propctx"
	"github.com/observe-go/langfuse/semconv"
)

// SpanProcessor stamps the trace-level attributes Langfuse reads from
// every span: the environment and release of the configuration, and the
// attributes propagated in the span's context by
// observe.PropagateAttributes. It stamps spans of every tracer of the
// provider, so spans of other instrumentation join the same user, session
// and trace name. It exports nothing; register it before the exporting
// processor. It is safe for concurrent use.
type SpanProcessor struct {
	static []attribute.KeyValue
}

var _ sdktrace.SpanProcessor = (*SpanProcessor)(nil)

// NewSpanProcessor returns a SpanProcessor for cfg's environment and
// release.
func NewSpanProcessor(cfg config.Config) *SpanProcessor {
	p := &SpanProcessor{}
	if cfg.Environment != "" {
		p.static = append(p.static, attribute.String(semconv.Environment, cfg.Environment))
	}
	if cfg.Release != "" {
		p.static = append(p.static, attribute.String(semconv.Release, cfg.Release))
	}
	return p
}

// OnStart stamps s with the configured and propagated attributes.
func (p *SpanProcessor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	if len(p.static) > 0 {
		s.SetAttributes(p.static...)
	}
	if set := propctx.FromContext(ctx); set != nil && len(set.KeyValues) > 0 {
		s.SetAttributes(set.KeyValues...)
	}
}

// OnEnd does nothing.
func (p *SpanProcessor) OnEnd(sdktrace.ReadOnlySpan) {}

// Shutdown does nothing.
func (p *SpanProcessor) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing.
func (p *SpanProcessor) ForceFlush(context.Context) error { return nil }
