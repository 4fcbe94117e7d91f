package e2e_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

// TestLoadNothingLost makes 20,000 spans from 16 goroutines, each call an
// observation with an observed child, against the collector with a queue
// that holds them all, and checks that after Shutdown every span id the
// instrumented code saw was received exactly once, under the right
// parent, and that nothing was dropped.
func TestLoadNothingLost(t *testing.T) {
	const (
		workers        = 16
		callsPerWorker = 625 // two spans per call: 20,000 spans
		spans          = workers * callsPerWorker * 2
	)
	c := startCollector(t)
	setLangfuseEnv(t, reliabilityEnv(c.URL, map[string]string{
		"LANGFUSE_EXPORT_MODE":    "batched",
		"LANGFUSE_MAX_QUEUE_SIZE": strconv.Itoa(spans),
	}))
	var logs logRecorder
	lf := newClient(t, langfuse.WithLogger(logs.logger()))

	type ids struct{ parent, child string }
	child := langfuse.Observe1("load/child", func(ctx context.Context, i int) (string, error) {
		return observe.ObservationID(ctx), nil
	})
	parent := langfuse.Observe2("load", func(ctx context.Context, w, i int) (ids, error) {
		c, err := child(ctx, i)
		return ids{parent: observe.ObservationID(ctx), child: c}, err
	})

	seen := make([][]ids, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range callsPerWorker {
				got, err := parent(context.Background(), w, i)
				if err != nil {
					t.Errorf("worker %d call %d: %v", w, i, err)
					return
				}
				seen[w] = append(seen[w], got)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	start := time.Now()
	waitDone(t, done, 60*time.Second, "the calls")
	made := time.Since(start)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start = time.Now()
	require.NoError(t, lf.Shutdown(ctx))
	t.Logf("%d spans made in %v, shut down in %v", spans, made.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	assert.Zero(t, lf.Stats().Dropped, "the queue fits every span")

	start = time.Now()
	got := c.spans(t)
	require.Len(t, got, spans, "spans received")
	count := make(map[string]int, len(got))
	byID := make(map[string]span, len(got))
	for _, s := range got {
		count[s.SpanID]++
		byID[s.SpanID] = s
	}
	// Checked by hand and reported at the end: 20,000 assertions would
	// take longer than the load itself.
	var problems []string
	for w, calls := range seen {
		require.Len(t, calls, callsPerWorker, "calls of worker %d", w)
		for _, call := range calls {
			p, ch := byID[call.parent], byID[call.child]
			switch {
			case count[call.parent] != 1 || count[call.child] != 1:
				problems = append(problems, fmt.Sprintf("spans %s and %s received %d and %d times",
					call.parent, call.child, count[call.parent], count[call.child]))
			case p.Name != "load" || ch.Name != "load/child":
				problems = append(problems, fmt.Sprintf("spans %s and %s are named %q and %q",
					call.parent, call.child, p.Name, ch.Name))
			case ch.ParentSpanID != call.parent || ch.TraceID != p.TraceID:
				problems = append(problems, fmt.Sprintf("span %s is not under %s", call.child, call.parent))
			}
		}
	}
	assert.Empty(t, problems)
	t.Logf("checked in %v", time.Since(start).Round(time.Millisecond))
	assert.Empty(t, logs.String(), "nothing to report")
}
