package langfuse_test

import (
	"context"
	"iter"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
)

// TestObserveSeqKeepsOnlyWhatItRecords checks that a stream of large items
// holds about one capture limit's worth of them, not the stream, and that
// the items left out are said to be.
func TestObserveSeqKeepsOnlyWhatItRecords(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.CaptureMaxBytes = 1024 })
	const items, size = 64, 1 << 20
	stream := langfuse.ObserveSeq("stream", func(context.Context, int) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for i := range items {
				// A new 1 MiB string each time, as a model's chunks would be.
				if !yield(strings.Repeat(string(rune('a'+i%26)), size), nil) {
					return
				}
			}
		}
	})
	var live uint64
	n := 0
	for s, err := range stream(context.Background(), 1) {
		require.NoError(t, err)
		n++
		if n == items {
			s = "" // the loop's own copy of the last item
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			live = m.HeapAlloc
		}
		_ = s
	}
	assert.Less(t, live, uint64(16<<20), "the %d MiB that passed through are not held", items)

	o := find(t, rec, "stream")
	assert.LessOrEqual(t, len(o.Output), 1024+64)
	assert.Contains(t, o.Output, "truncated", "the cut is visible")
}

func TestObserveSeqSaysWhichItemsAreLeftOut(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.CaptureMaxBytes = 100 })
	type chunk struct {
		Text string `json:"text"`
	}
	stream := langfuse.ObserveSeq("chunks", func(context.Context, int) iter.Seq2[chunk, error] {
		return func(yield func(chunk, error) bool) {
			for range 10 {
				if !yield(chunk{Text: strings.Repeat("x", 30)}, nil) {
					return
				}
			}
		}
	})
	for _, err := range stream(context.Background(), 1) {
		require.NoError(t, err)
	}
	o := find(t, rec, "chunks")
	assert.Contains(t, o.Output, `{"text":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`)
	assert.Contains(t, o.Output, "more items not recorded")

	// A TransformOutput function gets every item.
	_, rec = newClient(t, func(c *config.Config) { c.CaptureMaxBytes = 100 })
	counted := langfuse.ObserveSeq("counted", func(context.Context, int) iter.Seq2[chunk, error] {
		return func(yield func(chunk, error) bool) {
			for range 10 {
				if !yield(chunk{Text: strings.Repeat("x", 30)}, nil) {
					return
				}
			}
		}
	}, observe.TransformOutput(func(items []any) any { return len(items) }))
	for _, err := range counted(context.Background(), 1) {
		require.NoError(t, err)
	}
	assert.Equal(t, "10", find(t, rec, "counted").Output)
}
