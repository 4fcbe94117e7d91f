package langfusetest

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

// New makes a client of the test's own that records into a fresh Recorder
// and returns a context bound to it (langfuse.Client.Context) with the
// recorder. Observations started under that context, and under contexts
// derived from it, are recorded there and nowhere else, so tests that call
// t.Parallel() each see only their own observations. The default client is
// left as it is.
//
// The client records every span its provider makes (tracing.ExportAll),
// as soon as the span ends: no Flush is needed before reading the
// recorder. Its configuration is config.Default(), whatever the
// environment says, and its warnings go to t.Log. It is shut down when the
// test ends; the recorder stays readable.
func New(t testing.TB) (context.Context, *Recorder) {
	t.Helper()
	rec := NewRecorder()
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	logs := &testLog{t: t}
	c, err := langfuse.New(
		langfuse.WithConfig(cfg),
		langfuse.WithSpanExporter(rec),
		langfuse.WithExportFilter(tracing.ExportAll),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
		langfuse.AsDefault(false),
	)
	if err != nil {
		t.Fatalf("langfusetest: %v", err)
	}
	t.Cleanup(func() {
		_ = c.Shutdown(context.Background())
		logs.close()
	})
	return c.Context(context.Background()), rec
}

// testLog writes log lines to t.Log until the test ends; later lines, from
// goroutines that outlive the test, are dropped, since t.Log panics then.
type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Helper()
		l.t.Log(string(p))
	}
	return len(p), nil
}

func (l *testLog) close() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
}
