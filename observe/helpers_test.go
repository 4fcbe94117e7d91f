package observe_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/tracing"
)

// harness is a default client made of a real SDK provider that exports
// synchronously into a recorder, plus a log buffer for warnings.
type harness struct {
	rec  *langfusetest.Recorder
	tp   *sdktrace.TracerProvider
	logs *bytes.Buffer
}

func setup(t *testing.T) *harness {
	t.Helper()
	cfg := config.Default()
	cfg.Environment = "test"
	h := &harness{rec: langfusetest.NewRecorder(), logs: &bytes.Buffer{}}
	h.tp = sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(tracing.NewSpanProcessor(cfg)),
		sdktrace.WithSyncer(h.rec),
	)
	st := &global.State{
		Tracer:    tracing.Tracer(h.tp),
		CaptureIO: true,
		Capture:   capture.Options{MaxBytes: cfg.CaptureMaxBytes},
		Logger:    slog.New(slog.NewTextHandler(h.logs, nil)),
	}
	global.Store(st)
	t.Cleanup(func() {
		global.CompareAndSwap(st, nil)
		_ = h.tp.Shutdown(context.Background())
	})
	return h
}

func (h *harness) find(t *testing.T, name string) langfusetest.Observation {
	t.Helper()
	o, ok := h.rec.Find(name)
	if !ok {
		t.Fatalf("no observation %q among %d recorded", name, len(h.rec.Spans()))
	}
	return o
}
