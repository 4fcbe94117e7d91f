package langfuse_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

func newRecorderClientFromEnv(t *testing.T) *langfusetest.Recorder {
	t.Helper()
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(langfuse.WithSpanExporter(rec))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return rec
}

func TestNewWithConfigIgnoresEnvironmentAndValidates(t *testing.T) {
	t.Setenv(config.EnvSampleRate, "abc")
	cfg := config.Default()
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()))
	require.NoError(t, err)
	require.NoError(t, c.Shutdown(context.Background()))

	cfg.SampleRate = 2
	_, err = langfuse.New(langfuse.WithConfig(cfg))
	assert.ErrorIs(t, err, config.ErrInvalid)
}

func TestEnvironmentAndReleaseOnEverySpan(t *testing.T) {
	c, rec := newClientWith(t, func(c *config.Config) { c.Environment = "staging"; c.Release = "r42" },
		langfuse.WithExportFilter(tracing.ExportAll))
	ctx, o := observe.Start(context.Background(), "ours")
	_, other := c.TracerProvider().Tracer("other").Start(ctx, "theirs")
	other.End()
	o.End()
	for _, name := range []string{"ours", "theirs"} {
		got := find(t, rec, name)
		assert.Equal(t, "staging", got.Attr(semconv.Environment), name)
		assert.Equal(t, "r42", got.Attr(semconv.Release), name)
	}
	assert.Equal(t, semconv.ScopeName, find(t, rec, "ours").Scope)
	assert.Equal(t, find(t, rec, "ours").ID, find(t, rec, "theirs").ParentID)
}

func TestShutdownExportsEverySpanAndIsIdempotent(t *testing.T) {
	cfg := config.Default() // batched
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec))
	require.NoError(t, err)
	for i := 0; i < 100; i++ {
		_, o := observe.Start(context.Background(), "batched")
		o.End()
	}
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Len(t, rec.Spans(), 100)
	require.NoError(t, c.Shutdown(context.Background()), "a second Shutdown returns the first result")

	_, o := observe.Start(context.Background(), "after")
	assert.False(t, o.IsRecording(), "nothing is recorded after Shutdown")
	o.End()
	assert.Len(t, rec.Spans(), 100)
}

func TestFlushExportsBatchedSpans(t *testing.T) {
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithSpanExporter(rec))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	_, o := observe.Start(context.Background(), "x")
	o.End()
	require.NoError(t, c.Flush(context.Background()))
	assert.Len(t, rec.Spans(), 1)
}

func TestShutdownBoundedByContext(t *testing.T) {
	blocked := make(chan struct{}) // never released: the backend hangs
	c, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithSpanExporter(blockingExporter{blocked}),
		langfuse.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	_, o := observe.Start(context.Background(), "stuck")
	o.End()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = c.Shutdown(ctx)
	require.ErrorIs(t, err, context.Canceled, "Shutdown returns when its ctx ends, not when the export does")
	require.Eventually(t, func() bool { return c.Stats().Dropped == 1 }, 10*time.Second, time.Millisecond,
		"the span the hanging export held is counted as dropped once Shutdown gives up")
}

func TestConsoleWhenNoKeys(t *testing.T) {
	var out, logs bytes.Buffer
	cfg := config.Default()
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithConsoleWriter(&out),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	ctx, root := observe.Start(context.Background(), "console-root", observe.AsType(observe.TypeAgent))
	_, child := observe.Start(ctx, "console-child", observe.WithInput("hello"))
	child.End()
	root.End()
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Contains(t, out.String(), "console-root")
	assert.Contains(t, out.String(), "console-child")
	assert.Contains(t, out.String(), "hello")
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("printing traces to the console")))
}

func TestTracerProviderOfDisabledClientIsNoop(t *testing.T) {
	c, _ := newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	_, s := c.TracerProvider().Tracer("x").Start(context.Background(), "s")
	assert.False(t, s.IsRecording())
	assert.NoError(t, c.Flush(context.Background()))
}

func TestDefaultFilterDropsOtherSpansAndMarksAppRoot(t *testing.T) {
	c, rec := newClient(t)
	ctx, root := observe.Start(context.Background(), "root")
	ctx, httpSpan := c.TracerProvider().Tracer("net/http").Start(ctx, "GET /docs")
	_, under := observe.Start(ctx, "under-http")
	under.End()
	httpSpan.End()
	root.End()
	_, ok := rec.Find("GET /docs")
	assert.False(t, ok, "spans of other instrumentation are not exported by default")
	got := find(t, rec, "under-http")
	assert.True(t, got.Attributes[semconv.IsAppRoot].AsBool())
	assert.NotContains(t, find(t, rec, "root").Attributes, semconv.IsAppRoot)
}

// TestFilterDroppingAnObservationMarksItsChild checks that the span in an
// observation's ctx is the SDK's own, so that the export processor can tell
// that a filtered observation's kept child is the top of what is exported.
func TestFilterDroppingAnObservationMarksItsChild(t *testing.T) {
	_, rec := newClientWith(t, nil, langfuse.WithExportFilter(func(s sdktrace.ReadOnlySpan) bool {
		return s.Name() != "dropped"
	}))
	for name, run := range map[string]func(ctx context.Context){
		"observe.Start": func(ctx context.Context) {
			_, kept := observe.Start(ctx, "kept-start")
			kept.End()
		},
		"wrapper": func(ctx context.Context) {
			_, _ = langfuse.ObserveCtx("kept-wrapper", func(context.Context) (int, error) { return 1, nil })(ctx)
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, _ = langfuse.Run(context.Background(), "dropped", func(ctx context.Context) (int, error) {
				run(ctx)
				return 0, nil
			})
		})
	}
	_, ok := rec.Find("dropped")
	assert.False(t, ok, "the filter drops it")
	for _, name := range []string{"kept-start", "kept-wrapper"} {
		assert.True(t, find(t, rec, name).Attributes[semconv.IsAppRoot].AsBool(), name)
	}
}

func TestMaskAppliesToInputOutputAndMetadata(t *testing.T) {
	redact := func(v any) any {
		if s, ok := v.(string); ok {
			return strings.ReplaceAll(s, "4111-1111", "****")
		}
		return v
	}
	_, rec := newClientWith(t, nil, langfuse.WithMask(redact))
	pay := langfuse.Observe1("pay", func(ctx context.Context, card string) (string, error) {
		observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"card": card}))
		return "charged " + card, nil
	})
	_, err := pay(context.Background(), "4111-1111")
	require.NoError(t, err)
	o := find(t, rec, "pay")
	assert.Equal(t, "****", o.Input)
	assert.Equal(t, "charged ****", o.Output)
	assert.Equal(t, "****", o.Metadata["card"].AsString())

	decline := langfuse.ObserveErr("decline", func(context.Context) error { return errors.New("card 4111-1111 declined") })
	_ = decline(context.Background())
	explode := langfuse.ObserveErr("explode", func(context.Context) error { panic("bad card 4111-1111") })
	assert.Panics(t, func() { _ = explode(context.Background()) })
	for _, name := range []string{"decline", "explode"} {
		d := find(t, rec, name)
		assert.NotContains(t, d.StatusMessage, "4111-1111", name)
		assert.NotContains(t, d.Status.Description, "4111-1111", name)
		for _, ev := range d.Events {
			for _, kv := range ev.Attributes {
				if kv.Key == "exception.message" {
					assert.NotContains(t, kv.Value.AsString(), "4111-1111", name)
				}
			}
		}
	}
}

func TestPanickingMaskNeverLeaksTheValue(t *testing.T) {
	_, rec := newClientWith(t, nil, langfuse.WithMask(func(any) any { panic("mask bug") }))
	f := langfuse.Observe1("f", func(_ context.Context, s string) (string, error) { return s, nil })
	got, err := f(context.Background(), "secret")
	require.NoError(t, err)
	assert.Equal(t, "secret", got, "the wrapped call is unaffected")
	o := find(t, rec, "f")
	assert.Equal(t, capture.MaskFailed, o.Input)
	assert.Equal(t, capture.MaskFailed, o.Output)
	assert.NotContains(t, o.Input+o.Output, "secret")
}

func TestWithTracerProviderUsesTheProgramsProvider(t *testing.T) {
	cfg := config.Default()
	rec := langfusetest.NewRecorder()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(tracing.NewSpanProcessor(cfg)),
		sdktrace.WithSyncer(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithTracerProvider(tp))
	require.NoError(t, err)
	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{UserID: "u"})
	_, o := observe.Start(ctx, "byo")
	o.End()
	require.NoError(t, c.Flush(context.Background()))
	require.NoError(t, c.Shutdown(context.Background()))
	got := find(t, rec, "byo")
	assert.Equal(t, "u", got.Attr(semconv.UserID))
	assert.Equal(t, semconv.ScopeName, got.Scope)
	_, s := tp.Tracer("x").Start(context.Background(), "still-alive")
	assert.True(t, s.IsRecording(), "Shutdown leaves a provider it does not own running")
	s.End()
}

func TestDroppedSpansAreCounted(t *testing.T) {
	blocked := make(chan struct{})
	cfg := config.Default()
	cfg.MaxQueueSize = 2
	cfg.FlushAt = 1
	var logs bytes.Buffer
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(blockingExporter{blocked}),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		_, o := observe.Start(context.Background(), "burst")
		o.End()
	}
	assert.GreaterOrEqual(t, c.Stats().Dropped, uint64(20-2-1))
	assert.Contains(t, logs.String(), config.EnvMaxQueueSize)
	close(blocked)
	require.NoError(t, c.Shutdown(context.Background()))
}

type blockingExporter struct{ release chan struct{} }

func (b blockingExporter) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (blockingExporter) Shutdown(context.Context) error { return nil }

func TestVersionIsWhatExportsSend(t *testing.T) {
	assert.Equal(t, semconv.SDKVersion, langfuse.Version)
	for _, l := range []observe.Level{observe.LevelDebug, observe.LevelDefault, observe.LevelWarning, observe.LevelError} {
		assert.Contains(t, []string{semconv.LevelDebug, semconv.LevelDefault, semconv.LevelWarning, semconv.LevelError}, string(l))
	}
}

func TestConsolePrintsATraceWhenItsRootEndsAndNamesItsClient(t *testing.T) {
	var first, second bytes.Buffer
	quiet := langfuse.WithLogger(slog.New(slog.DiscardHandler))
	a, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithConsoleWriter(&first), quiet)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	b, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithConsoleWriter(&second), quiet,
		langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Shutdown(context.Background()) })

	bound := b.Context(context.Background()) // from here on two clients are in use
	_, root := observe.Start(context.Background(), "on-first")
	root.End()
	_, other := observe.Start(bound, "on-second")
	other.End()

	// No Flush: the tree is printed as the root ends.
	require.Contains(t, first.String(), "on-first")
	require.Contains(t, second.String(), "on-second")
	firstLine, _, _ := strings.Cut(first.String(), "\n")
	secondLine, _, _ := strings.Cut(second.String(), "\n")
	assert.Regexp(t, `^trace [0-9a-f]{32}  \[client \d+, no keys\]$`, firstLine)
	assert.Regexp(t, `^trace [0-9a-f]{32}  \[client \d+, no keys\]$`, secondLine)
	assert.NotEqual(t, firstLine[len("trace ")+32:], secondLine[len("trace ")+32:], "each says which client it is")
}
