package tracing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

// BenchmarkExportThroughput ends b.N spans as fast as one goroutine can
// and exports them through the Langfuse exporter to an OTLP/HTTP server
// on loopback that reads and discards each request. The queue holds the
// whole burst, so nothing may be dropped; spans/s counts from the first
// span to the last one acknowledged.
func BenchmarkExportThroughput(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(srv.Close)
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-bench", "sk-lf-bench", srv.URL
	cfg.MaxQueueSize = max(b.N, 1)
	exp, err := tracing.NewExporter(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	p := tracing.NewExportProcessor(cfg, exp)
	tp := tracing.NewTracerProvider(cfg, p)
	tr := tracing.Tracer(tp)
	ctx := context.Background()

	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		_, s := tr.Start(ctx, "span")
		s.End()
	}
	if err := tp.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if p.Dropped() != 0 || p.Exported() != uint64(b.N) {
		b.Fatalf("a burst that fits the queue lost spans: exported %d, dropped %d of %d", p.Exported(), p.Dropped(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "spans/s")
}

func TestBurstThatFitsTheQueueDropsNothing(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.MaxQueueSize = 1000
	cfg.FlushAt = 100
	exp := newChanExporter()
	exp.release = make(chan struct{}) // nothing leaves until the burst is queued
	p := tracing.NewExportProcessor(cfg, exp)
	tp := provider(cfg, p)
	tr := tracing.Tracer(tp)
	for i := 0; i < 1000; i++ {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	close(exp.release)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p.Dropped() != 0 || exp.count() != 1000 {
		t.Fatalf("dropped %d, exported %d of 1000", p.Dropped(), exp.count())
	}
}
