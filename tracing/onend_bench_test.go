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
// batch span processor. The queues hold every span of a run, so that no
// span is dropped however far the export goroutine falls behind, and the
// figures are those of a span that is queued. The exporter is not an
// *Exporter, so ours makes the span's strings valid UTF-8, on the export
// goroutine as the SDK's does its work.
func BenchmarkBatchOnEnd(b *testing.B) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, s := tracing.Tracer(tp).Start(context.Background(), "span")
	s.End()
	span := rec.Ended()[0]

	processors := []struct {
		name string
		new  func(queue int) (sdktrace.SpanProcessor, func() uint64)
	}{
		{"langfuse", func(queue int) (sdktrace.SpanProcessor, func() uint64) {
			cfg := config.Default()
			cfg.MaxQueueSize = queue
			p := tracing.NewExportProcessor(cfg, discardExporter{})
			return p, p.Dropped
		}},
		{"sdk-batch", func(queue int) (sdktrace.SpanProcessor, func() uint64) {
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
				p, dropped := proc.new(max(b.N, 1<<20))
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
