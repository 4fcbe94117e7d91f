package langfuse_test

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
)

// The allocation budgets below are what each path may cost, so that a
// silent regression fails a test. Enabled paths are budgeted against a raw
// OpenTelemetry span of the same provider, measured in the same test, so
// that an SDK upgrade does not move them.

func TestDisabledWrapperDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test also runs this without -race")
	}
	newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	f := langfuse.Observe1("off", func(_ context.Context, s string) (string, error) { return s, nil })
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() { _, _ = f(ctx, "x") })
	assert.Zero(t, allocs)
}

func TestDisabledManualAPIDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test also runs this without -race")
	}
	newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	ctx := context.Background()
	in := &allocQuery{Q: "q"}
	meta := map[string]any{"k": 1}
	cases := map[string]func(){
		"Start with options and End": func() {
			c, o := observe.Start(ctx, "manual", observe.AsType(observe.TypeGeneration), observe.WithInput(in),
				observe.WithModel("m"), observe.WithMetadata(meta), observe.WithOutput("done"))
			observe.UpdateCurrent(c, observe.WithLevel(observe.LevelDebug))
			o.Update(observe.WithStatusMessage("ok"))
			o.End(observe.WithOutput(in))
		},
		"Run": func() {
			_, _ = langfuse.Run(ctx, "inline", func(context.Context) (int, error) { return 1, nil }, observe.WithInput(in))
		},
		"CreateEvent": func() { observe.CreateEvent(ctx, "event", observe.WithInput("x")) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Zero(t, testing.AllocsPerRun(100, f))
		})
	}
}

type allocQuery struct {
	Q    string `json:"q"`
	TopK int    `json:"top_k"`
}

type allocAnswer struct {
	Text  string  `json:"text"`
	Score float64 `json:"score"`
}

func TestEnabledAllocationBudgets(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test also runs this without -race")
	}
	cfg := config.Default()
	// Nothing is exported while allocations are counted: the export
	// goroutine's allocations would be counted too.
	cfg.FlushAt, cfg.FlushInterval, cfg.MaxQueueSize = config.MaxFlushAt, time.Hour, config.MaxQueueSize
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(discard{}),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	ctx := c.Context(context.Background())
	raw := c.TracerProvider().Tracer("raw")

	q, a := allocQuery{Q: "What is Langfuse?", TopK: 3}, allocAnswer{Text: "An LLM platform.", Score: 0.9}
	search := func(context.Context, allocQuery) (allocAnswer, error) { return a, nil }
	on := langfuse.Observe1("search", search)
	off := langfuse.Observe1("search", search, observe.CaptureInput(false), observe.CaptureOutput(false))

	const runs = 200
	rawSpan := testing.AllocsPerRun(runs, func() {
		_, s := raw.Start(ctx, "search")
		s.End()
	})
	marshals := testing.AllocsPerRun(runs, func() {
		_ = capture.String(q, capture.Options{})
		_ = capture.String(a, capture.Options{})
	})
	t.Logf("raw span: %.0f allocs, two captures: %.0f allocs", rawSpan, marshals)

	budgets := []struct {
		name   string
		budget float64
		f      func()
	}{
		// A wrapped call that captures nothing keeps its state on the
		// wrapper's stack: it allocates its span and nothing else.
		{"wrapper, capture off", rawSpan, func() { _, _ = off(ctx, q) }},
		// The record, the two captured texts, and boxing the argument and
		// the result in interfaces.
		{"wrapper, capture on", rawSpan + 1 + marshals + 2, func() { _, _ = on(ctx, q) }},
		{"Start and End", rawSpan + 1, func() {
			_, o := observe.Start(ctx, "manual")
			o.End()
		}},
		{"Run, capture on", rawSpan + 1 + marshals + 1, func() {
			_, _ = langfuse.Run(ctx, "inline", func(ctx context.Context) (allocAnswer, error) { return search(ctx, q) },
				observe.WithInput(&q))
		}},
	}
	for _, b := range budgets {
		t.Run(b.name, func(t *testing.T) {
			got := testing.AllocsPerRun(runs, b.f)
			assert.LessOrEqual(t, got, b.budget, "allocations per call (raw span: %.0f)", rawSpan)
		})
	}

	// Bytes: a bare Start and End allocates its record, which holds only
	// what every observation needs, on top of what the raw span
	// allocates; a wrapped call that captures nothing, not even that.
	rawBytes := bytesPerRun(func() {
		_, s := raw.Start(ctx, "search")
		s.End()
	})
	for name, c := range map[string]struct {
		f     func()
		extra float64
	}{
		"wrapper, capture off": {func() { _, _ = off(ctx, q) }, 0},
		"Start and End": {func() {
			_, o := observe.Start(ctx, "manual")
			o.End()
		}, recordBytes},
	} {
		t.Run(name+", bytes", func(t *testing.T) {
			got := bytesPerRun(c.f)
			assert.LessOrEqual(t, got, rawBytes+c.extra, "bytes per call (raw span: %.0f)", rawBytes)
		})
	}
}

// recordBytes is what a record that writes nothing may cost beyond its
// span: a small object, not one with room for attributes it never writes.
const recordBytes = 96

// bytesPerRun returns how many bytes a call of f allocates, the least of
// a few rounds, so that an allocation of another goroutine in one round
// does not count.
func bytesPerRun(f func()) float64 {
	const calls = 2000
	best := -1.0
	for range 3 {
		f()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range calls {
			f()
		}
		runtime.ReadMemStats(&after)
		if got := float64(after.TotalAlloc-before.TotalAlloc) / calls; best < 0 || got < best {
			best = got
		}
	}
	return best
}
