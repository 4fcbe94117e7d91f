package langfuse_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// engEveryShape records, under ctx, one observation of every kind, each
// named with suffix, nested as their names say, and returns the names.
func engEveryShape(t *testing.T, ctx context.Context, suffix string) []string {
	t.Helper()
	child := langfuse.Observe1("child"+suffix, func(_ context.Context, n int) (int, error) { return n, nil })
	wrapped := langfuse.ObserveCtx("wrapped"+suffix, func(ctx context.Context) (int, error) { return child(ctx, 1) })
	failing := langfuse.ObserveErr("err"+suffix, func(context.Context) error { return errEngine })
	seq := langfuse.ObserveSeq("seq"+suffix, func(ctx context.Context, n int) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) {
			_ = observe.CreateEvent(ctx, "seq-event"+suffix)
			_ = yield(n, nil) && yield(n+1, nil)
		}
	})
	h := langfuse.ObserveHandler("handler"+suffix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = child(r.Context(), 2)
		w.WriteHeader(http.StatusNoContent)
	}))

	got, err := wrapped(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, got)
	require.ErrorIs(t, failing(ctx), errEngine)

	mctx, o := observe.Start(ctx, "manual"+suffix)
	_ = observe.StartObservation(mctx, "manual-child"+suffix)
	o.End()

	out, err := langfuse.Run(ctx, "run"+suffix, func(ctx context.Context) (string, error) {
		_, o := observe.Start(ctx, "run-child"+suffix)
		o.End()
		return "ok", nil
	})
	require.NoError(t, err)
	require.Equal(t, "ok", out)

	var items []int
	for v, err := range seq(ctx, 1) {
		require.NoError(t, err)
		items = append(items, v)
	}
	require.Equal(t, []int{1, 2}, items)

	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, httptest.NewRequestWithContext(ctx, http.MethodGet, "/work", nil))
	require.Equal(t, http.StatusNoContent, rw.Code)

	// manual-child is never ended, so it is never recorded.
	return []string{
		"child" + suffix, "wrapped" + suffix, "err" + suffix,
		"manual" + suffix,
		"run-child" + suffix, "run" + suffix,
		"seq-event" + suffix, "seq" + suffix,
		"child" + suffix, "handler" + suffix,
	}
}

// errEngine is the error the observed calls of engEveryShape return.
var errEngine = errors.New("engine test error")

func engNames(obs []langfusetest.Observation) []string {
	names := make([]string, len(obs))
	for i, o := range obs {
		names[i] = o.Name
	}
	return names
}

// TestParallelTestsSeeOnlyTheirOwnObservations checks that parallel tests
// that each use langfusetest.New see exactly their own observations, of
// every shape, while the default client, a third recorder, sees none.
func TestParallelTestsSeeOnlyTheirOwnObservations(t *testing.T) {
	_, def := newClient(t)
	const tests, rounds = 8, 5
	t.Run("parallel", func(t *testing.T) {
		for i := range tests {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				ctx, rec := langfusetest.New(t)
				suffix := fmt.Sprintf("-t%d", i)
				var want []string
				for range rounds {
					want = append(want, engEveryShape(t, ctx, suffix)...)
				}
				obs := rec.Observations()
				assert.ElementsMatch(t, want, engNames(obs), "exactly this test's observations")
				ids := make(map[string]bool, len(obs))
				for _, o := range obs {
					ids[o.ID] = true
				}
				for _, o := range obs {
					if o.ParentID != "" && !strings.HasPrefix(o.Name, "manual-child") {
						assert.True(t, ids[o.ParentID], "%s nests under an observation of this test", o.Name)
					}
				}
			})
		}
	})
	assert.Empty(t, engNames(def.Observations()), "the default client saw none of them")
}

// TestBoundContextOfStoppedClientRecordsNothing checks that a ctx bound to
// a client that records nothing, because its tracing is disabled or it
// was shut down, records nothing and never falls back to the default
// client, which is enabled.
func TestBoundContextOfStoppedClientRecordsNothing(t *testing.T) {
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	disabledCfg := cfg
	disabledCfg.TracingEnabled = false
	disabled, err := langfuse.New(langfuse.WithConfig(disabledCfg), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = disabled.Shutdown(context.Background()) })
	own := langfusetest.NewRecorder()
	stopped, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(own), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = stopped.Shutdown(context.Background()) })
	// The default client, made last so that it is the default whatever
	// AsDefault does.
	_, def := newClient(t)

	// Observed before the shutdown: a parent whose ctx outlives its client.
	sctx := stopped.Context(context.Background())
	pctx, parent := observe.Start(sctx, "before-shutdown")
	parent.End()
	require.Len(t, own.Observations(), 1, "the bound client records while it runs")
	require.NoError(t, stopped.Shutdown(context.Background()))

	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{
		{"disabled", disabled.Context(context.Background())},
		{"shut down", sctx},
		{"child of an observation of a shut-down client", pctx},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engEveryShape(t, tc.ctx, "-"+tc.name)
			_, o := observe.Start(tc.ctx, "manual")
			assert.False(t, o.IsRecording())
			o.End()
			assert.Empty(t, engNames(def.Observations()), "nothing falls back to the default client")
		})
	}
	assert.Len(t, own.Observations(), 1, "nothing recorded after the shutdown")

	// The default client itself still records.
	_, o := observe.Start(context.Background(), "default")
	o.End()
	assert.Equal(t, []string{"default"}, engNames(def.Observations()))
}
