package langfusetest_test

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// names returns the names of what rec recorded, in the order they ended.
func names(rec *langfusetest.Recorder) []string {
	var out []string
	for _, o := range rec.Observations() {
		out = append(out, o.Name)
	}
	return out
}

// defaultClient makes a default client that records into a recorder of
// its own, which a test using New must never reach.
func defaultClient(t *testing.T) *langfusetest.Recorder {
	t.Helper()
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return rec
}

// observeAll records one observation of each kind under ctx, each named
// with suffix, and returns their names in the order they end.
func observeAll(t *testing.T, ctx context.Context, suffix string) []string {
	t.Helper()
	wrapped := langfuse.Observe1("wrapped"+suffix, func(_ context.Context, n int) (int, error) { return n, nil })
	seq := langfuse.ObserveSeq("seq"+suffix, func(_ context.Context, n int) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) { yield(n, nil) }
	})
	h := langfuse.ObserveHandler("handler"+suffix, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))

	_, err := wrapped(ctx, 1)
	require.NoError(t, err)
	_, o := observe.Start(ctx, "manual"+suffix)
	o.End()
	_, err = langfuse.Run(ctx, "run"+suffix, func(ctx context.Context) (int, error) { return wrapped(ctx, 2) })
	require.NoError(t, err)
	for _, err := range seq(ctx, 3) {
		require.NoError(t, err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil))
	return []string{"wrapped" + suffix, "manual" + suffix, "wrapped" + suffix, "run" + suffix, "seq" + suffix, "handler" + suffix}
}

func TestNewParallelTestsSeeOnlyTheirOwnObservations(t *testing.T) {
	def := defaultClient(t)
	t.Run("parallel", func(t *testing.T) {
		for i := range 8 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				ctx, rec := langfusetest.New(t)
				var want []string
				for range 5 {
					want = append(want, observeAll(t, ctx, fmt.Sprintf("-%d", i))...)
				}
				// Immediate export: no Flush before reading.
				assert.Equal(t, want, names(rec), "exactly this test's observations, in the order they ended")
			})
		}
	})
	assert.Empty(t, names(def), "the default client saw none of them")
}

func TestNewRecorderOutlivesItsClient(t *testing.T) {
	def := defaultClient(t)
	var ctx context.Context
	var rec *langfusetest.Recorder
	t.Run("test", func(t *testing.T) {
		ctx, rec = langfusetest.New(t)
		_, o := observe.Start(ctx, "during")
		o.End()
	})
	// The client of the test is shut down; what it recorded stays.
	assert.Equal(t, []string{"during"}, names(rec))
	_, o := observe.Start(ctx, "after")
	assert.False(t, o.IsRecording(), "the ctx of an ended test records nothing")
	o.End()
	assert.Equal(t, []string{"during"}, names(rec))
	assert.Empty(t, names(def), "and does not fall back to the default client")
}

func TestNewIgnoresTheEnvironment(t *testing.T) {
	t.Setenv(config.EnvTracingEnabled, "false")
	t.Setenv(config.EnvSampleRate, "abc") // malformed: New must not read it
	t.Setenv(config.EnvIOCaptureEnabled, "false")
	t.Setenv(config.EnvExportMode, "batched")
	ctx, rec := langfusetest.New(t)
	_, err := langfuse.Observe1("echo", func(_ context.Context, s string) (string, error) { return s, nil })(ctx, "in")
	require.NoError(t, err)
	o, ok := rec.Find("echo")
	require.True(t, ok, "recorded at once, with tracing on and every trace sampled")
	assert.Equal(t, "in", o.Input, "input captured")
	assert.Equal(t, "in", o.Output, "output captured")
}

func TestNewExportsSpansOfOtherInstrumentation(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	ctx, o := observe.Start(ctx, "parent")
	// Another library's span, made with the client's provider.
	_, db := o.Span().TracerProvider().Tracer("database/sql").Start(ctx, "SELECT")
	db.End()
	o.End()
	obs := rec.Observations()
	require.Len(t, obs, 2, "the span of other instrumentation is recorded too")
	assert.Equal(t, "SELECT", obs[0].Name)
	assert.Equal(t, "database/sql", obs[0].Scope)
	assert.Equal(t, obs[1].ID, obs[0].ParentID)
}

// logTB is a testing.TB whose Log and Cleanup are recorded, so that a test
// can see what New logs and end the test when it likes.
type logTB struct {
	testing.TB
	mu       sync.Mutex
	logs     []string
	cleanups []func()
}

func (l *logTB) Helper() {}

func (l *logTB) Log(args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logs = append(l.logs, fmt.Sprint(args...))
}

func (l *logTB) Cleanup(f func()) { l.cleanups = append(l.cleanups, f) }

func (l *logTB) logged() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.logs, "\n")
}

// end runs the cleanups, last registered first, as the end of a test does.
func (l *logTB) end() {
	for i := len(l.cleanups) - 1; i >= 0; i-- {
		l.cleanups[i]()
	}
}

func TestNewLogsWarningsToTheTestWhileItRuns(t *testing.T) {
	tb := &logTB{TB: t}
	ctx, rec := langfusetest.New(tb)
	_, o := observe.Start(ctx, "typed", observe.AsType("no-such-type"))
	o.End()
	assert.Contains(t, tb.logged(), "unknown observation type", "a warning goes to t.Log")
	assert.Equal(t, []string{"typed"}, names(rec))

	_, late := observe.Start(ctx, "outlives-the-test")
	tb.end()
	// A goroutine that outlives the test warns: t.Log would panic now.
	require.NotPanics(t, func() { late.Update(observe.WithLevel("LOUD")) })
	assert.NotContains(t, tb.logged(), "unknown level", "nothing is logged once the test ended")
	late.End()
}
