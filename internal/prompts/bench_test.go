package prompts

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/observe-go/langfuse/prompt"
)

// BenchmarkPromptCacheHit gets a fresh prompt from the cache, beside the
// plain map lookup under a read lock that is its floor (MapBaseline). The
// target is under 200 ns and no allocation.
func BenchmarkPromptCacheHit(b *testing.B) {
	var f counter
	c := New(f.fetch, time.Minute, 0, nil)
	defer c.Close()
	ctx := context.Background()
	k := Key{Name: "support/answer", Label: "production"}
	if _, err := c.Get(ctx, k, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.Run("Cache", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(ctx, k, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MapBaseline", func(b *testing.B) {
		var mu sync.RWMutex
		m := map[Key]*prompt.Prompt{k: {Name: k.Name}}
		b.ReportAllocs()
		for b.Loop() {
			mu.RLock()
			p := m[k]
			mu.RUnlock()
			if p == nil {
				b.Fatal("missing")
			}
		}
	})
}
