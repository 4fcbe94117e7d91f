package llmtest

import (
	"context"
	"runtime"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/tracing"
)

// DisabledContext is a context bound to a client whose tracing is off,
// with the recorder that client would export to.
func DisabledContext(tb testing.TB) (context.Context, *langfusetest.Recorder) {
	tb.Helper()
	rec := langfusetest.NewRecorder()
	cfg := config.Default()
	cfg.TracingEnabled = false
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.AsDefault(false), langfuse.WithSpanExporter(rec))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background()), rec
}

// signalling records spans and says on ended each time one ends.
type signalling struct {
	*langfusetest.Recorder
	ended chan struct{}
}

func (s signalling) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := s.Recorder.ExportSpans(ctx, spans)
	for range spans {
		select {
		case s.ended <- struct{}{}:
		default:
		}
	}
	return err
}

// SignallingContext is langfusetest.New with a channel that receives
// when a span ends, for observations that another goroutine ends (a
// cleanup of the runtime).
func SignallingContext(tb testing.TB) (context.Context, *langfusetest.Recorder, <-chan struct{}) {
	tb.Helper()
	exp := signalling{langfusetest.NewRecorder(), make(chan struct{}, 16)}
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(exp),
		langfuse.WithExportFilter(tracing.ExportAll), langfuse.AsDefault(false))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background()), exp.Recorder, exp.ended
}

// CollectUntil runs the garbage collector until ended receives, at most
// attempts times, and reports whether it did. It waits on channels, not
// on time.
func CollectUntil(ended <-chan struct{}, attempts int) bool {
	gaveUp := make(chan struct{})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(gaveUp)
		for range attempts {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
				runtime.Gosched()
			}
		}
	}()
	select {
	case <-ended:
		return true
	case <-gaveUp:
		// The last collection may have queued the cleanup just now.
		select {
		case <-ended:
			return true
		default:
			return false
		}
	}
}

// DiscardContext is a context bound to a client of the benchmark's own,
// as a service runs one (batched export), whose exporter keeps nothing:
// what a benchmark measures is the transport's cost, not a recorder's
// memory.
func DiscardContext(tb testing.TB) context.Context {
	tb.Helper()
	cfg := config.Default()
	cfg.ExportMode = config.ExportBatched
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(discard{}),
		langfuse.AsDefault(false), langfuse.WithExportFilter(tracing.ExportAll))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background())
}

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }
