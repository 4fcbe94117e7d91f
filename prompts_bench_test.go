package langfuse_test

import (
	"context"
	"sync"
	"testing"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/prompt"
)

// cachedPromptClient returns a client whose cache holds the prompt
// "support/answer", fresh for an hour, and a ctx bound to it.
func cachedPromptClient(tb testing.TB) (*langfuse.Client, context.Context) {
	tb.Helper()
	f := &fakePrompts{versions: map[string][]map[string]any{}}
	f.add("support/answer", "Answer {{question}}.", "production")
	srv := newTestServer(tb, f)
	cfg := promptConfig(srv.URL)
	cfg.PromptCacheTTL = config.MaxPromptCacheTTL
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()), langfuse.AsDefault(false))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	ctx := c.Context(context.Background())
	if _, err := langfuse.GetPrompt(ctx, "support/answer"); err != nil {
		tb.Fatal(err)
	}
	return c, ctx
}

// TestCachedPromptAllocatesNothing holds a fresh hit of the cache,
// through a client and through ctx's client, to no allocation.
func TestCachedPromptAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	c, ctx := cachedPromptClient(t)
	assert0 := func(name string, f func()) {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, n)
		}
	}
	assert0("Client.Prompt", func() { _, _ = c.Prompt(ctx, "support/answer") })
	assert0("GetPrompt", func() { _, _ = langfuse.GetPrompt(ctx, "support/answer") })
}

// BenchmarkGetPrompt gets a cached prompt through ctx's client and
// through the client, beside the plain map lookup under a read lock that
// is its floor. The target is under 200 ns and no allocation.
func BenchmarkGetPrompt(b *testing.B) {
	c, ctx := cachedPromptClient(b)
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := langfuse.GetPrompt(ctx, "support/answer"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client-cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Prompt(ctx, "support/answer"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map-baseline", func(b *testing.B) {
		type key struct {
			name, label string
			version     int
		}
		var mu sync.RWMutex
		m := map[key]*prompt.Prompt{{"support/answer", "production", 0}: {Name: "support/answer"}}
		b.ReportAllocs()
		for b.Loop() {
			mu.RLock()
			p := m[key{"support/answer", prompt.DefaultLabel, 0}]
			mu.RUnlock()
			if p == nil {
				b.Fatal("missing")
			}
		}
	})
}
