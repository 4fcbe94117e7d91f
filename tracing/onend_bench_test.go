package tracing_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

// discardExporter takes every batch and keeps nothing.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// BenchmarkBatchOnEnd measures what ending a span costs the goroutine that
// ends it in batched mode: the filter and the hand-over to the export
// queue, alone and from every P at once, beside the same for the SDK's
// batch span processor. The queues are large enough that no span is
// dropped, so the figures are those of a span that is queued. The exporter
// is not an *Exporter, so ours also makes the span's strings valid UTF-8
// there, which the SDK does not do.
func BenchmarkBatchOnEnd(b *testing.B) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, s := tracing.Tracer(tp).Start(context.Background(), "span")
	s.End()
	span := rec.Ended()[0]

	const queue = 1 << 20
	processors := []struct {
		name string
		new  func() (sdktrace.SpanProcessor, func() uint64)
	}{
		{"langfuse", func() (sdktrace.SpanProcessor, func() uint64) {
			cfg := config.Default()
			cfg.MaxQueueSize = queue
			p := tracing.NewExportProcessor(cfg, discardExporter{})
			return p, p.Dropped
		}},
		{"sdk-batch", func() (sdktrace.SpanProcessor, func() uint64) {
			return sdktrace.NewBatchSpanProcessor(discardExporter{}, sdktrace.WithMaxQueueSize(queue)), nil
		}},
	}
	for _, proc := range processors {
		for _, parallel := range []bool{false, true} {
			name := proc.name + "-serial"
			if parallel {
				name = proc.name + "-parallel"
			}
			b.Run(name, func(b *testing.B) {
				p, dropped := proc.new()
				b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
				b.ReportAllocs()
				b.ResetTimer()
				if parallel {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							p.OnEnd(span)
						}
					})
				} else {
					for i := 0; i < b.N; i++ {
						p.OnEnd(span)
					}
				}
				b.StopTimer()
				if dropped != nil && dropped() != 0 {
					b.Fatalf("%d spans dropped: the figure is not that of a queued span", dropped())
				}
			})
		}
	}
}
