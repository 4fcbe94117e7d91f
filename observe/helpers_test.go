package observe_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/tracing"
)

// harness is a default client that exports every span of its provider
// synchronously into a recorder, plus a log buffer for warnings.
type harness struct {
	rec  *langfusetest.Recorder
	tp   trace.TracerProvider
	logs *syncBuffer
}

func setup(t *testing.T) *harness {
	t.Helper()
	cfg := config.Default()
	cfg.Environment = "test"
	cfg.ExportMode = config.ExportImmediate
	h := &harness{rec: langfusetest.NewRecorder(), logs: &syncBuffer{}}
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(h.rec),
		langfuse.WithExportFilter(tracing.ExportAll),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(h.logs, nil))))
	require.NoError(t, err)
	h.tp = lf.TracerProvider()
	t.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
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

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// immediateConfig is the default configuration exporting each span as it
// ends.
func immediateConfig() config.Config {
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	return cfg
}
