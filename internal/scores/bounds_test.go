package scores

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueueFlushReturnsUnderSteadyLoad checks that Flush sends the scores
// queued when it was called and returns while a producer adds a score
// for every score the server takes, so the queue never empties. Past
// limit scores the server stops pacing and the producer stops: a Flush
// that is bounded returns long before.
func TestQueueFlushReturnsUnderSteadyLoad(t *testing.T) {
	const limit = 800 // requests too at most, fewer than the fake's channel holds
	produced, stop := make(chan struct{}), make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	var taken atomic.Int64
	f := newFake(t, func(_ int, _ http.ResponseWriter, events []map[string]any) bool {
		if taken.Add(int64(len(events))) > limit {
			halt()
			return false
		}
		for range events {
			select {
			case <-produced:
			case <-stop:
				return false
			}
		}
		return false
	})
	q, _ := newTestQueue(t, f, func(c *Config) { c.BatchSize, c.MaxQueue = 4, 1000 })
	add := func(i int) { q.Add(score(t, Score{Name: fmt.Sprint("s", i), TraceID: testTrace, Value: i})) }
	for i := range 3 * 4 { // full batches, queued before the producer starts
		add(i)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			add(i)
			select {
			case produced <- struct{}{}:
			case <-stop:
				return
			}
		}
	}()

	require.NoError(t, q.Flush(context.Background()))
	flushed := taken.Load()
	halt()
	<-done
	require.NoError(t, q.Shutdown(context.Background()))

	assert.LessOrEqual(t, flushed, int64(limit), "Flush kept sending the scores added while it ran")
	assert.Zero(t, q.Stats().Dropped)
}

// TestQueueShutdownReturnsTheDeliveryError checks that Shutdown returns
// the error of the scores it could not deliver, as Flush does.
func TestQueueShutdownReturnsTheDeliveryError(t *testing.T) {
	f := newFake(t, func(_ int, w http.ResponseWriter, _ []map[string]any) bool {
		http.NotFound(w, nil)
		return true
	})
	q, _ := newTestQueue(t, f, nil)
	q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
	err := q.Shutdown(context.Background())
	require.ErrorContains(t, err, "score ingestion answered 404")
	assert.Equal(t, uint64(1), q.Stats().Failed)
	assert.Equal(t, err, q.Shutdown(context.Background()), "a second Shutdown returns the first's result")
}

// TestQueueShutdownWithDoneContextCountsEveryScore checks that Shutdown
// with a ctx that has already ended gives up the score in flight and
// those queued, and has counted them all when it returns.
func TestQueueShutdownWithDoneContextCountsEveryScore(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(_ int, _ http.ResponseWriter, _ []map[string]any) bool {
		<-release
		return true
	})
	t.Cleanup(func() { close(release) }) // before the server closes: cleanups run last first
	q, _ := newTestQueue(t, f, func(c *Config) { c.BatchSize = 1 })
	q.Add(score(t, Score{Name: "hangs", TraceID: testTrace, Value: 1}))
	<-f.got // the request is in flight
	for i := range 20 {
		q.Add(score(t, Score{Name: fmt.Sprint("queued", i), TraceID: testTrace, Value: i}))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := q.Shutdown(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "21 scores not sent")
	st := q.Stats()
	assert.Equal(t, uint64(21), st.Dropped, "every score is counted when Shutdown returns")
	assert.Zero(t, st.Sent+st.Failed)
}
