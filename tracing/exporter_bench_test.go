package tracing

import (
	"context"
	"net/http"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
)

// BenchmarkExportSpans measures a whole export of a batch of 512
// typical spans, under the size limit, through a transport that discards
// the request: encoding, the size check, the request and its body, and
// reading the answer. "stock" is OpenTelemetry Go's OTLP/HTTP exporter
// doing the same.
func BenchmarkExportSpans(b *testing.B) {
	spans := typicalSpans(512)
	b.Run("ours", func(b *testing.B) { benchExport(b, oursExporter, spans) })
	b.Run("stock", func(b *testing.B) { benchExport(b, stockExporter, spans) })
}

// oursExporter returns an Exporter sending through rt, shut down when b
// ends.
func oursExporter(b *testing.B, rt http.RoundTripper) sdktrace.SpanExporter {
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-bench", "sk-lf-bench", "http://collector.invalid"
	exp, err := NewExporter(context.Background(), cfg, WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}
