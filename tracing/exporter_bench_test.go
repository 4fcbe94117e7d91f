package tracing

import (
	"context"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"

	"github.com/observe-go/langfuse/config"
)

// BenchmarkExportSpans measures a whole export of a batch of 512
// typical spans, under the size limit, through a transport that discards
// the request: encoding, the size check, the request and its body, and
// reading the answer. "stock" is OpenTelemetry Go's OTLP/HTTP exporter
// doing the same.
func BenchmarkExportSpans(b *testing.B) {
	spans := typicalSpans(512)
	perSpan := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
	}

	b.Run("ours", func(b *testing.B) {
		var sink discardTransport
		cfg := config.Default()
		cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-bench", "sk-lf-bench", "http://collector.invalid"
		exp, err := NewExporter(context.Background(), cfg, WithHTTPClient(&http.Client{Transport: &sink}))
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = exp.Shutdown(context.Background()) }()
		b.ReportAllocs()
		for b.Loop() {
			if err := exp.ExportSpans(context.Background(), spans); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
		if sink.bytes.Load() == 0 {
			b.Fatal("nothing was sent")
		}
	})

	b.Run("stock", func(b *testing.B) {
		var sink discardTransport
		exp, err := otlptracehttp.New(context.Background(),
			otlptracehttp.WithEndpointURL("http://collector.invalid/v1/traces"),
			otlptracehttp.WithHTTPClient(&http.Client{Transport: &sink}))
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = exp.Shutdown(context.Background()) }()
		b.ReportAllocs()
		for b.Loop() {
			if err := exp.ExportSpans(context.Background(), spans); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
}
