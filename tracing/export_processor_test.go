package tracing_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

// chanExporter passes every batch to a channel, or blocks until release
// is closed when it is set.
type chanExporter struct {
	batches chan []sdktrace.ReadOnlySpan
	release chan struct{}
	entered chan struct{} // if set, receives once per export as it begins
	err     error
	mu      sync.Mutex
	closed  bool
}

func newChanExporter() *chanExporter {
	return &chanExporter{batches: make(chan []sdktrace.ReadOnlySpan, 1024)}
}

func (e *chanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.entered != nil {
		e.entered <- struct{}{}
	}
	if e.release != nil {
		select {
		case <-e.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	e.batches <- append([]sdktrace.ReadOnlySpan(nil), spans...)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

func (e *chanExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	return nil
}

func (e *chanExporter) count() int {
	n := 0
	for {
		select {
		case b := <-e.batches:
			n += len(b)
		default:
			return n
		}
	}
}

func testConfig(mode config.ExportMode) config.Config {
	cfg := config.Default()
	cfg.ExportMode = mode
	return cfg
}

func provider(cfg config.Config, p sdktrace.SpanProcessor) *sdktrace.TracerProvider {
	return tracing.NewTracerProvider(cfg, p)
}

func TestExportProcessorBatchesBySize(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.FlushAt = 3
	cfg.FlushInterval = time.Hour
	exp := newChanExporter()
	p := tracing.NewExportProcessor(cfg, exp)
	tp := provider(cfg, p)
	tr := tracing.Tracer(tp)
	for i := 0; i < 3; i++ {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	batch := <-exp.batches // a full batch goes without waiting for the interval
	assert.Len(t, batch, 3)
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Equal(t, uint64(3), p.Exported())
}

func TestExportProcessorExportsOnInterval(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.FlushInterval = time.Millisecond
	exp := newChanExporter()
	p := tracing.NewExportProcessor(cfg, exp)
	tp := provider(cfg, p)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	_, s := tracing.Tracer(tp).Start(context.Background(), "s")
	s.End()
	select {
	case b := <-exp.batches:
		assert.Len(t, b, 1)
	case <-time.After(10 * time.Second):
		t.Fatal("the interval never exported the span")
	}
}

func TestExportProcessorFlushAndShutdownExportEverything(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.FlushAt = 7
	cfg.FlushInterval = time.Hour
	exp := newChanExporter()
	p := tracing.NewExportProcessor(cfg, exp)
	tp := provider(cfg, p)
	tr := tracing.Tracer(tp)
	for i := 0; i < 20; i++ {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	require.NoError(t, tp.ForceFlush(context.Background()))
	assert.Equal(t, 20, exp.count())
	for i := 0; i < 5; i++ {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Equal(t, 5, exp.count())
	assert.True(t, exp.closed)
	require.NoError(t, p.Shutdown(context.Background()), "idempotent")
}

func TestExportProcessorCountsDrops(t *testing.T) {
	var logs bytes.Buffer
	cfg := testConfig(config.ExportBatched)
	cfg.MaxQueueSize = 4
	cfg.FlushAt = 1
	exp := newChanExporter()
	exp.release = make(chan struct{}) // the exporter hangs until released
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	tp := provider(cfg, p)
	tr := tracing.Tracer(tp)
	for i := 0; i < 50; i++ {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	// At most the queue plus the batch being exported are held.
	assert.GreaterOrEqual(t, p.Dropped(), uint64(50-4-1))
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("export queue full")), "warned once")
	close(exp.release)
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Equal(t, 50, int(p.Dropped())+exp.count(), "every span is either exported or counted")
}

func TestExportProcessorShutdownBoundedByContext(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.Timeout = time.Hour
	exp := newChanExporter()
	exp.release = make(chan struct{})
	p := tracing.NewExportProcessor(cfg, exp)
	tp := provider(cfg, p)
	_, s := tracing.Tracer(tp).Start(context.Background(), "s")
	s.End()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := p.Shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	close(exp.release)
}

func TestExportProcessorImmediate(t *testing.T) {
	exp := newChanExporter()
	cfg := testConfig(config.ExportImmediate)
	p := tracing.NewExportProcessor(cfg, exp)
	tp := provider(cfg, p)
	_, s := tracing.Tracer(tp).Start(context.Background(), "s")
	s.End()
	assert.Equal(t, 1, exp.count(), "exported before End returns")
	require.NoError(t, tp.Shutdown(context.Background()))
}

// TestExportProcessorImmediateSideBySide checks that immediate exports of
// different goroutines run at once, and that Shutdown waits for them.
func TestExportProcessorImmediateSideBySide(t *testing.T) {
	exp := newChanExporter()
	exp.release = make(chan struct{})
	exp.entered = make(chan struct{})
	cfg := testConfig(config.ExportImmediate)
	p := tracing.NewExportProcessor(cfg, exp)
	tr := tracing.Tracer(provider(cfg, p))
	var ended sync.WaitGroup
	for range 2 {
		ended.Go(func() {
			_, s := tr.Start(context.Background(), "s")
			s.End()
		})
	}
	<-exp.entered
	<-exp.entered // both exports are in flight together

	shut := make(chan error, 1)
	go func() { shut <- p.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with exports in flight", err)
	default:
	}
	close(exp.release)
	require.NoError(t, <-shut)
	assert.Equal(t, uint64(2), p.Exported(), "Shutdown returned after the exports in flight")
	ended.Wait()
	assert.True(t, exp.closed)
}

// TestExportProcessorImmediateShutdownBoundedByContext checks that
// Shutdown gives up on immediate exports in flight when its ctx ends:
// they are cancelled and their spans counted as dropped.
func TestExportProcessorImmediateShutdownBoundedByContext(t *testing.T) {
	exp := newChanExporter()
	exp.release = make(chan struct{})
	t.Cleanup(func() { close(exp.release) })
	exp.entered = make(chan struct{}, 1)
	cfg := testConfig(config.ExportImmediate)
	cfg.Timeout = time.Hour
	p := tracing.NewExportProcessor(cfg, exp)
	tr := tracing.Tracer(provider(cfg, p))
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}()
	<-exp.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, p.Shutdown(ctx), context.Canceled)
	<-ended
	assert.Equal(t, uint64(1), p.Dropped())
	assert.Zero(t, p.Failed(), "a request Shutdown gave up on is not a failure")
	assert.NoError(t, p.LastError())
}

func TestExportProcessorCountsFailures(t *testing.T) {
	for _, mode := range []config.ExportMode{config.ExportBatched, config.ExportImmediate} {
		t.Run(string(mode), func(t *testing.T) {
			exp := newChanExporter()
			cfg := testConfig(mode)
			cfg.FlushAt = 1
			p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.DiscardHandler)))
			tp := provider(cfg, p)
			tr := tracing.Tracer(tp)
			assert.NoError(t, p.LastError())

			_, s := tr.Start(context.Background(), "ok")
			s.End()
			require.NoError(t, tp.ForceFlush(context.Background()))
			exp.mu.Lock()
			exp.err = &tracing.ExportError{Kind: "server", Hint: "Langfuse answered 500", Err: errors.New("500")}
			exp.mu.Unlock()
			for range 3 {
				_, s := tr.Start(context.Background(), "fails")
				s.End()
			}
			err := tp.Shutdown(context.Background())
			if mode == config.ExportImmediate {
				require.NoError(t, err, "the exports failed in End, before Shutdown")
			} else if err != nil {
				// Failing spans were still queued: Shutdown exported them
				// and returns the error, as Flush would.
				var ee *tracing.ExportError
				require.ErrorAs(t, err, &ee)
				assert.Equal(t, "server", ee.Kind)
			}

			assert.Equal(t, uint64(1), p.Exported())
			assert.Equal(t, uint64(3), p.Failed())
			var ee *tracing.ExportError
			require.ErrorAs(t, p.LastError(), &ee)
			assert.Equal(t, "server", ee.Kind)
			assert.Equal(t, uint64(3), p.Dropped(), "the spans of a failed export are lost")
		})
	}
}

func TestExportProcessorNilIsNoop(t *testing.T) {
	var p *tracing.ExportProcessor
	p.OnEnd(nil)
	assert.NoError(t, p.ForceFlush(context.Background()))
	assert.NoError(t, p.Shutdown(context.Background()))
	assert.Zero(t, p.Dropped()+p.Exported()+p.Failed())
	assert.NoError(t, p.LastError())
}

func TestExportProcessorLogsErrorsOncePerKindWithinAMinute(t *testing.T) {
	var logs bytes.Buffer
	exp := newChanExporter()
	exp.err = &tracing.ExportError{Kind: "unauthorized", Hint: "check the keys", Err: errors.New("401")}
	cfg := testConfig(config.ExportImmediate)
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	tp := provider(cfg, p)
	for i := 0; i < 3; i++ {
		_, s := tracing.Tracer(tp).Start(context.Background(), "s")
		s.End()
	}
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("level=WARN")))
	assert.Contains(t, logs.String(), "check the keys")
	assert.Zero(t, p.Exported())
}

func TestDefaultFilterAndAppRoot(t *testing.T) {
	exp := newChanExporter()
	cfg := testConfig(config.ExportImmediate)
	tp := provider(cfg, tracing.NewExportProcessor(cfg, exp))
	ours := tracing.Tracer(tp)
	httpTr := tp.Tracer("net/http")

	ctx, root := ours.Start(context.Background(), "root")
	ctx2, httpSpan := httpTr.Start(ctx, "GET /")
	_, under := ours.Start(ctx2, "under-http")
	_, genAI := httpTr.Start(ctx2, "llm", trace.WithAttributes(attribute.String("gen_ai.system", "openai")))
	_, direct := ours.Start(ctx, "direct-child")
	_, llmLib := tp.Tracer("openinference.instrumentation.openai").Start(ctx, "lib")
	for _, s := range []trace.Span{llmLib, direct, genAI, under, httpSpan, root} {
		s.End()
	}
	got := map[string]sdktrace.ReadOnlySpan{}
	for _, b := range drain(exp) {
		got[b.Name()] = b
	}
	assert.NotContains(t, got, "GET /", "HTTP spans are not exported by default")
	for _, name := range []string{"root", "under-http", "llm", "direct-child", "lib"} {
		assert.Contains(t, got, name)
	}
	assert.True(t, isAppRoot(got["under-http"]), "its parent is not exported")
	assert.True(t, isAppRoot(got["llm"]))
	assert.False(t, isAppRoot(got["direct-child"]))
	assert.False(t, isAppRoot(got["root"]), "a span without parent is the root anyway")

	remote := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true}))
	_, joined := ours.Start(remote, "joined")
	joined.End()
	assert.True(t, isAppRoot(drain(exp)[0]), "a remote parent is not exported here")
}

func drain(e *chanExporter) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for {
		select {
		case b := <-e.batches:
			out = append(out, b...)
		default:
			return out
		}
	}
}

func isAppRoot(s sdktrace.ReadOnlySpan) bool {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == semconv.IsAppRoot {
			return kv.Value.AsBool()
		}
	}
	return false
}

func TestIsKnownLLMScope(t *testing.T) {
	for scope, want := range map[string]bool{
		"langfuse-sdk": true, "ai": true, "ai.sdk": true, "aiohttp": false,
		"openinference.instrumentation.openai": true, "net/http": false, "": false, "vllm": true,
	} {
		assert.Equal(t, want, tracing.IsKnownLLMScope(scope), scope)
	}
}

// TestExportProcessorImmediateForceFlushWaitsForExportsInFlight checks
// that in immediate mode ForceFlush returns only after the exports in
// flight on other goroutines are done, with their error, and that its ctx
// bounds the wait.
func TestExportProcessorImmediateForceFlushWaitsForExportsInFlight(t *testing.T) {
	errRejected := errors.New("rejected")
	exp := newChanExporter()
	exp.release = make(chan struct{})
	exp.entered = make(chan struct{}, 1)
	exp.err = errRejected
	cfg := testConfig(config.ExportImmediate)
	cfg.Timeout = time.Hour
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.DiscardHandler)))
	tp := provider(cfg, p)
	require.NoError(t, p.ForceFlush(context.Background()), "nothing in flight")

	ended := make(chan struct{})
	go func() {
		defer close(ended)
		_, s := tracing.Tracer(tp).Start(context.Background(), "s")
		s.End()
	}()
	<-exp.entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, p.ForceFlush(ctx), context.Canceled, "ctx bounds the wait")

	waiting := &doneWatch{Context: context.Background(), asked: make(chan struct{})}
	flushed := make(chan error, 1)
	go func() { flushed <- p.ForceFlush(waiting) }()
	select {
	case <-waiting.asked: // ForceFlush waits; the export may end now
	case err := <-flushed:
		t.Fatalf("ForceFlush returned (%v) with an export in flight", err)
	}
	close(exp.release)
	err := <-flushed
	assert.ErrorIs(t, err, errRejected, "ForceFlush returns the error of the export it waited for")
	assert.Equal(t, uint64(1), p.Failed(), "the export was over when ForceFlush returned")
	assert.Equal(t, uint64(1), p.Dropped())
	<-ended
	assert.NoError(t, p.ForceFlush(context.Background()), "a finished export is not waited for again")
	require.NoError(t, tp.Shutdown(context.Background()))
}

// doneWatch is a context that closes asked when Done is first called,
// which a ForceFlush does when it starts to wait.
type doneWatch struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func (c *doneWatch) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}
