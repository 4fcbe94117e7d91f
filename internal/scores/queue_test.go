package scores

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testPublic = "pk-lf-test"
	testSecret = "sk-lf-0123456789abcdefghij"
	testTrace  = "0123456789abcdef0123456789abcdef"
)

var isoMillis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// fakeLangfuse checks every request as the ingestion API would and keeps
// each score once by event id, as the server deduplicates. answer decides
// the status of each request (n counts from 1); nil answers 207 with every
// event a success.
type fakeLangfuse struct {
	t      *testing.T
	srv    *httptest.Server
	answer func(n int, w http.ResponseWriter, events []map[string]any) bool // true: answered

	mu       sync.Mutex
	requests int
	times    []time.Time
	byEvent  map[string]map[string]any // event id -> body
	bodies   []map[string]any          // every body received, retries included
	got      chan struct{}             // one value per request
}

func newFake(t *testing.T, answer func(n int, w http.ResponseWriter, events []map[string]any) bool) *fakeLangfuse {
	t.Helper()
	f := &fakeLangfuse{t: t, answer: answer, byEvent: map[string]map[string]any{}, got: make(chan struct{}, 1000)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLangfuse) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	events := f.check(w, r)
	if events == nil {
		return
	}
	f.mu.Lock()
	f.requests++
	n := f.requests
	f.times = append(f.times, time.Now())
	f.mu.Unlock()
	f.got <- struct{}{}
	if f.answer != nil && f.answer(n, w, events) {
		return
	}
	f.accept(w, events, nil)
	_ = t
}

// accept stores events and answers 207, rejecting those in reject.
func (f *fakeLangfuse) accept(w http.ResponseWriter, events []map[string]any, reject map[string]string) {
	var reply struct {
		Successes []map[string]any `json:"successes"`
		Errors    []map[string]any `json:"errors"`
	}
	reply.Successes, reply.Errors = []map[string]any{}, []map[string]any{}
	f.mu.Lock()
	for _, e := range events {
		id := e["id"].(string)
		body := e["body"].(map[string]any)
		f.bodies = append(f.bodies, body)
		if msg, ok := reject[body["name"].(string)]; ok {
			reply.Errors = append(reply.Errors, map[string]any{"id": id, "status": 400, "message": msg, "error": "validation"})
			continue
		}
		f.byEvent[id] = body
		reply.Successes = append(reply.Successes, map[string]any{"id": id, "status": 201})
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusMultiStatus)
	_ = json.NewEncoder(w).Encode(reply)
}

// check answers 401 or 400 and returns nil for a request the API would
// refuse, else the request's events.
func (f *fakeLangfuse) check(w http.ResponseWriter, r *http.Request) []map[string]any {
	t := f.t
	fail := func(status int, format string, args ...any) []map[string]any {
		t.Errorf(format, args...)
		http.Error(w, fmt.Sprintf(format, args...), status)
		return nil
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/public/ingestion" {
		return fail(http.StatusNotFound, "request %s %s", r.Method, r.URL.Path)
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testPublic+":"+testSecret))
	if r.Header.Get("Authorization") != wantAuth {
		return fail(http.StatusUnauthorized, "authorization %q", r.Header.Get("Authorization"))
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return fail(http.StatusBadRequest, "content type %q", ct)
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return fail(http.StatusBadRequest, "body: %v", err)
	}
	var req struct {
		Batch []map[string]any `json:"batch"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&req); err != nil || len(req.Batch) == 0 {
		return fail(http.StatusBadRequest, "batch: %v in %s", err, data)
	}
	for _, e := range req.Batch {
		if !f.checkEvent(e) {
			return fail(http.StatusBadRequest, "event %v", e)
		}
	}
	return req.Batch
}

// checkEvent reports whether e is a score-create event of the shape and
// types of the API reference.
func (f *fakeLangfuse) checkEvent(e map[string]any) bool {
	t := f.t
	ok := assert.IsType(t, "", e["id"], "event id") &&
		assert.Equal(t, "score-create", e["type"]) &&
		assert.IsType(t, "", e["timestamp"]) &&
		assert.Regexp(t, isoMillis, e["timestamp"]) &&
		assert.IsType(t, map[string]any{}, e["body"])
	if !ok {
		return false
	}
	body := e["body"].(map[string]any)
	allowed := map[string]bool{"id": true, "traceId": true, "sessionId": true, "observationId": true, "name": true,
		"value": true, "dataType": true, "comment": true, "configId": true, "metadata": true, "environment": true}
	for k := range body {
		if !assert.True(t, allowed[k], "unknown body field %q", k) {
			return false
		}
	}
	ok = assert.IsType(t, "", body["id"]) && assert.IsType(t, "", body["name"]) &&
		assert.Contains(t, []any{"NUMERIC", "BOOLEAN", "CATEGORICAL"}, body["dataType"])
	if !ok {
		return false
	}
	if body["traceId"] == nil && !assert.IsType(t, "", body["sessionId"], "a trace or a session") {
		return false
	}
	if body["observationId"] != nil && !assert.IsType(t, "", body["traceId"], "an observation needs its trace") {
		return false
	}
	switch body["dataType"] {
	case "CATEGORICAL":
		return assert.IsType(t, "", body["value"])
	case "BOOLEAN":
		return assert.Contains(t, []any{0.0, 1.0}, body["value"])
	default:
		return assert.IsType(t, 0.0, body["value"])
	}
}

func (f *fakeLangfuse) stored() map[string]map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]map[string]any, len(f.byEvent))
	for k, v := range f.byEvent {
		out[k] = v
	}
	return out
}

func (f *fakeLangfuse) received() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// logBuffer is a log sink safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestQueue returns a queue for f, with short backoff, shut down at
// the end of the test.
func newTestQueue(t *testing.T, f *fakeLangfuse, change func(*Config)) (*Queue, *logBuffer) {
	t.Helper()
	return queueFor(t, f.srv.URL, change)
}

func score(t *testing.T, s Score) Score {
	t.Helper()
	require.NoError(t, Normalize(&s))
	Stamp(&s)
	return s
}

func TestQueueSendsWhatTheAPIAccepts(t *testing.T) {
	f := newFake(t, nil)
	q, logs := newTestQueue(t, f, nil)
	q.Add(score(t, Score{Name: "accuracy", TraceID: testTrace, ObservationID: "0123456789abcdef", Value: 0.75,
		Comment: "close", ConfigID: "cfg-1", Metadata: `{"judge":"gpt"}`, Environment: "prod"}))
	q.Add(score(t, Score{Name: "thumbs", TraceID: testTrace, Value: true}))
	q.Add(score(t, Score{Name: "tone", SessionID: "session-1", Value: "friendly", ID: "my-id"}))
	require.NoError(t, q.Shutdown(context.Background()))

	got := map[string]map[string]any{}
	for _, b := range f.stored() {
		got[b["name"].(string)] = b
	}
	require.Len(t, got, 3)
	acc := got["accuracy"]
	assert.Equal(t, testTrace, acc["traceId"])
	assert.Equal(t, "0123456789abcdef", acc["observationId"])
	assert.Equal(t, 0.75, acc["value"])
	assert.Equal(t, "NUMERIC", acc["dataType"])
	assert.Equal(t, "close", acc["comment"])
	assert.Equal(t, "cfg-1", acc["configId"])
	assert.Equal(t, map[string]any{"judge": "gpt"}, acc["metadata"])
	assert.Equal(t, "prod", acc["environment"])
	assert.Equal(t, 1.0, got["thumbs"]["value"])
	assert.Equal(t, "BOOLEAN", got["thumbs"]["dataType"])
	assert.NotContains(t, got["thumbs"], "comment", "empty fields are left out")
	assert.Equal(t, "friendly", got["tone"]["value"])
	assert.Equal(t, "session-1", got["tone"]["sessionId"])
	assert.Equal(t, "my-id", got["tone"]["id"])
	assert.NotContains(t, got["tone"], "traceId")
	st := q.Stats()
	assert.Equal(t, Stats{Sent: 3}, st)
	assert.Empty(t, logs.String())
}

func TestQueueBatchesBySize(t *testing.T) {
	f := newFake(t, nil)
	q, _ := newTestQueue(t, f, func(c *Config) { c.BatchSize = 4 })
	for i := range 10 {
		q.Add(score(t, Score{Name: fmt.Sprint("s", i), TraceID: testTrace, Value: i}))
	}
	require.NoError(t, q.Flush(context.Background()))
	assert.Len(t, f.stored(), 10)
	assert.Equal(t, 3, f.received(), "4 + 4 + 2")
}

func TestQueueCountsAndLogsPartialErrors(t *testing.T) {
	f := newFake(t, nil)
	f.answer = func(_ int, w http.ResponseWriter, events []map[string]any) bool {
		f.accept(w, events, map[string]string{"bad": "score config cfg-9 not found"})
		return true
	}
	q, logs := newTestQueue(t, f, nil)
	q.Add(score(t, Score{Name: "good", TraceID: testTrace, Value: 1}))
	q.Add(score(t, Score{Name: "bad", TraceID: testTrace, Value: 2}))
	q.Add(score(t, Score{Name: "bad", TraceID: testTrace, Value: 3}))
	err := q.Flush(context.Background())
	require.Error(t, err, "Flush tells of the scores it could not deliver")
	assert.Contains(t, err.Error(), "2 of 3 scores rejected")
	assert.Contains(t, err.Error(), "score config cfg-9 not found")
	st := q.Stats()
	assert.Equal(t, uint64(1), st.Sent)
	assert.Equal(t, uint64(2), st.Failed)
	require.Error(t, st.LastError)
	assert.Contains(t, st.LastError.Error(), "score config cfg-9 not found")
	assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), "one warning per kind of rejection:\n%s", logs)
	assert.Contains(t, logs.String(), "score config cfg-9 not found")
	assert.Contains(t, logs.String(), "status=400")
}

func TestQueueRetriesAfterRetryAfterWithoutDuplicates(t *testing.T) {
	f := newFake(t, nil)
	f.answer = func(n int, w http.ResponseWriter, events []map[string]any) bool {
		if n == 1 {
			// Taken, yet answered 429: the retry must not store it twice.
			f.accept(httptest.NewRecorder(), events, nil)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}
	q, _ := newTestQueue(t, f, nil)
	q.Add(score(t, Score{Name: "once", TraceID: testTrace, Value: 1}))
	require.NoError(t, q.Flush(context.Background()))

	assert.Equal(t, 2, f.received())
	f.mu.Lock()
	gap := f.times[1].Sub(f.times[0])
	bodies := f.bodies
	f.mu.Unlock()
	assert.GreaterOrEqual(t, gap, time.Second, "Retry-After: 1 is honoured")
	require.Len(t, bodies, 2, "sent twice")
	assert.Equal(t, bodies[0]["id"], bodies[1]["id"], "with the same score id")
	assert.Len(t, f.stored(), 1, "and the same event id: stored once")
	assert.Equal(t, Stats{Sent: 1}, q.Stats())
}

func TestQueueRetries5xxThenFails(t *testing.T) {
	t.Run("recovers", func(t *testing.T) {
		f := newFake(t, func(n int, w http.ResponseWriter, _ []map[string]any) bool {
			if n <= 2 {
				http.Error(w, "upstream down", http.StatusInternalServerError+n) // 501, 502
				return true
			}
			return false
		})
		q, logs := newTestQueue(t, f, nil)
		q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
		require.NoError(t, q.Flush(context.Background()))
		assert.Equal(t, 3, f.received())
		assert.Equal(t, Stats{Sent: 1}, q.Stats())
		assert.Empty(t, logs.String(), "a retry that succeeds is not a problem")
	})
	t.Run("gives up at the timeout", func(t *testing.T) {
		f := newFake(t, func(_ int, w http.ResponseWriter, _ []map[string]any) bool {
			http.Error(w, "still down", http.StatusInternalServerError)
			return true
		})
		q, logs := newTestQueue(t, f, func(c *Config) { c.Timeout = 100 * time.Millisecond })
		q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
		q.Add(score(t, Score{Name: "t", TraceID: testTrace, Value: 1}))
		assert.ErrorContains(t, q.Flush(context.Background()), "answered 500: still down")
		st := q.Stats()
		assert.Equal(t, uint64(2), st.Failed)
		assert.Zero(t, st.Sent)
		assert.Greater(t, f.received(), 1, "retried")
		require.Error(t, st.LastError)
		assert.Contains(t, st.LastError.Error(), "answered 500: still down")
		assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), logs.String())
	})
}

func TestQueueDoesNotRetryAClientError(t *testing.T) {
	f := newFake(t, func(_ int, w http.ResponseWriter, _ []map[string]any) bool {
		// A proxy that echoes the request's credentials.
		http.Error(w, "bad request; Authorization: Basic "+
			base64.StdEncoding.EncodeToString([]byte(testPublic+":"+testSecret))+" secret "+testSecret, http.StatusBadRequest)
		return true
	})
	q, logs := newTestQueue(t, f, nil)
	q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
	err := q.Flush(context.Background())
	require.ErrorContains(t, err, "answered 400")
	assert.NotContains(t, err.Error(), testSecret)
	assert.Equal(t, 1, f.received())
	st := q.Stats()
	assert.Equal(t, uint64(1), st.Failed)
	assert.NotContains(t, st.LastError.Error(), testSecret)
	assert.NotContains(t, logs.String(), testSecret)
	assert.NotContains(t, logs.String(), base64.StdEncoding.EncodeToString([]byte(testPublic+":"+testSecret)))
	assert.Contains(t, logs.String(), "[REDACTED]")
}

func TestQueueShutdownDeadlineWithAHangingServer(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(_ int, _ http.ResponseWriter, _ []map[string]any) bool {
		<-release
		return true
	})
	t.Cleanup(func() { close(release) }) // before the server closes: cleanups run last first
	q, logs := newTestQueue(t, f, func(c *Config) { c.BatchSize = 1 })
	q.Add(score(t, Score{Name: "hangs", TraceID: testTrace, Value: 1}))
	<-f.got // the request is in flight
	q.Add(score(t, Score{Name: "waits", TraceID: testTrace, Value: 1}))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := q.Shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second, "Shutdown returns soon after its ctx ends")
	assert.Equal(t, uint64(2), q.Stats().Dropped, "the request in flight and the queued score")
	assert.Contains(t, logs.String(), "shutdown ended before every score was sent")

	q.Add(score(t, Score{Name: "late", TraceID: testTrace, Value: 1}))
	assert.Equal(t, uint64(3), q.Stats().Dropped, "a score after Shutdown is dropped")
	assert.Equal(t, err, q.Shutdown(context.Background()), "a second Shutdown returns the first's result")
}

func TestQueueFullDropsAndCounts(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(n int, _ http.ResponseWriter, _ []map[string]any) bool {
		if n == 1 {
			<-release
		}
		return false
	})
	q, logs := newTestQueue(t, f, func(c *Config) { c.BatchSize, c.MaxQueue = 1, 5 })
	q.Add(score(t, Score{Name: "first", TraceID: testTrace, Value: 1}))
	<-f.got // the loop is busy with it; the queue is empty
	for i := range 8 {
		q.Add(score(t, Score{Name: fmt.Sprint("s", i), TraceID: testTrace, Value: i}))
	}
	assert.Equal(t, uint64(3), q.Stats().Dropped, "5 fit, 3 dropped")
	assert.Equal(t, 1, strings.Count(logs.String(), "score queue full"), "logged once:\n%s", logs)
	close(release)
	require.NoError(t, q.Flush(context.Background()))
	assert.Len(t, f.stored(), 6)
	assert.Equal(t, uint64(6), q.Stats().Sent)
}

func TestQueueConcurrentAdds(t *testing.T) {
	f := newFake(t, nil)
	q, _ := newTestQueue(t, f, func(c *Config) { c.BatchSize, c.MaxQueue = 7, 10000 })
	const goroutines, each = 8, 100
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				q.Add(score(t, Score{Name: fmt.Sprintf("g%d-%d", g, i), TraceID: testTrace, Value: i}))
				if i%25 == 0 {
					_ = q.Flush(context.Background())
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, q.Shutdown(context.Background()))
	names := map[string]int{}
	for _, b := range f.stored() {
		names[b["name"].(string)]++
	}
	assert.Len(t, names, goroutines*each, "every score arrived")
	f.mu.Lock()
	assert.Len(t, f.bodies, goroutines*each, "each exactly once")
	f.mu.Unlock()
	assert.Equal(t, Stats{Sent: goroutines * each}, q.Stats())
}

func TestQueueConnectionErrorIsRetriedThenFails(t *testing.T) {
	f := newFake(t, nil)
	q, logs := newTestQueue(t, f, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	f.srv.Close() // nothing listens any more
	q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
	assert.ErrorContains(t, q.Flush(context.Background()), "score ingestion request failed")
	assert.Equal(t, uint64(1), q.Stats().Failed)
	assert.Contains(t, logs.String(), "check that LANGFUSE_BASE_URL answers")
}
