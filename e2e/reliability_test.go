package e2e_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"log"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
)

// faultMode is what a faultProxy does with a request.
type faultMode int32

const (
	// modeForward passes the request on to the collector.
	modeForward faultMode = iota
	// modeRefuse resets the connection without answering, as a backend
	// that is down does.
	modeRefuse
	// modeHang reads the request and answers nothing until the proxy is
	// released, then forwards it; a client that gives up first gets
	// nothing.
	modeHang
)

// cannedAnswer is an answer the proxy gives instead of asking the
// collector; with status 0, it resets the connection without one.
type cannedAnswer struct {
	status int
	header http.Header
	body   []byte
}

// answered is one request the proxy answered.
type answered struct {
	status int // 0 when the connection was reset
	at     time.Time
}

// faultProxy is a reverse proxy on 127.0.0.1 in front of a collector
// whose behaviour the test switches: forward, refuse, hang, or canned
// answers for the next requests.
type faultProxy struct {
	// URL is the base URL to give the SDK in place of the collector's.
	URL string

	srv  *httptest.Server
	rp   *httputil.ReverseProxy
	mode atomic.Int32

	hung     atomic.Int32  // requests held now
	hungSeen chan struct{} // wakes waitHung when a request starts hanging

	mu      sync.Mutex
	release chan struct{} // closed to let the held requests go on
	canned  []cannedAnswer
	log     []answered
}

// startFaultProxy starts a faultProxy in forward mode in front of target.
// When the test ends every held request is released and the proxy
// closed.
func startFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := &faultProxy{
		rp:       httputil.NewSingleHostReverseProxy(u),
		release:  make(chan struct{}),
		hungSeen: make(chan struct{}, 1024),
	}
	// A held request whose client gave up is an expected proxy error.
	p.rp.ErrorLog = log.New(io.Discard, "", 0)
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	t.Cleanup(func() {
		p.heal()
		p.srv.Close()
	})
	return p
}

func (p *faultProxy) setMode(m faultMode) { p.mode.Store(int32(m)) }

// releaseHeld lets every request held in hang mode go on to the
// collector. Requests that hang later are held again.
func (p *faultProxy) releaseHeld() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.release)
	p.release = make(chan struct{})
}

// heal makes the proxy forward again and lets every held request go on.
// Tests register it to run before their client's Shutdown, so that a
// test that stops early does not leave exports held.
func (p *faultProxy) heal() {
	p.setMode(modeForward)
	p.releaseHeld()
}

// answerNext makes the proxy give the next requests these answers, one
// each, before it goes back to its mode.
func (p *faultProxy) answerNext(answers ...cannedAnswer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.canned = append(p.canned, answers...)
}

// answers returns what the proxy answered so far, in order.
func (p *faultProxy) answers() []answered {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]answered(nil), p.log...)
}

// statuses returns the status of every answer so far, 0 for a reset.
func (p *faultProxy) statuses() []int {
	var out []int
	for _, a := range p.answers() {
		out = append(out, a.status)
	}
	return out
}

func (p *faultProxy) record(status int) {
	p.mu.Lock()
	p.log = append(p.log, answered{status: status, at: time.Now()})
	p.mu.Unlock()
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	// Reading the whole request first lets the server notice when the
	// client hangs up, which ends a held request.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	p.mu.Lock()
	var canned *cannedAnswer
	if len(p.canned) > 0 {
		canned = &p.canned[0]
		p.canned = p.canned[1:]
	}
	release := p.release
	p.mu.Unlock()
	if canned != nil && canned.status == 0 {
		p.reset(w)
		return
	}
	if canned != nil {
		for k, vs := range canned.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(canned.status)
		_, _ = w.Write(canned.body)
		p.record(canned.status)
		return
	}

	switch faultMode(p.mode.Load()) {
	case modeRefuse:
		p.reset(w)
		return
	case modeHang:
		p.hung.Add(1)
		select {
		case p.hungSeen <- struct{}{}:
		default: // waitHung has wake-ups enough pending
		}
		select {
		case <-release:
			p.hung.Add(-1)
		case <-r.Context().Done():
			p.hung.Add(-1)
			p.record(0)
			return
		}
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	p.rp.ServeHTTP(sw, r)
	p.record(sw.status)
}

// reset closes the request's connection with a TCP reset.
func (p *faultProxy) reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
	p.record(0)
}

// waitHung waits until at least n requests are held at once.
func (p *faultProxy) waitHung(t *testing.T, n int32, within time.Duration) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for p.hung.Load() < n {
		select {
		case <-p.hungSeen:
		case <-deadline.C:
			t.Fatalf("%d requests held after %v, want %d", p.hung.Load(), within, n)
		}
	}
}

// reliabilityEnv is the environment of a client that sends to base,
// plus extra.
func reliabilityEnv(base string, extra map[string]string) map[string]string {
	env := map[string]string{
		"LANGFUSE_PUBLIC_KEY": testPublicKey,
		"LANGFUSE_SECRET_KEY": testSecretKey,
		"LANGFUSE_BASE_URL":   base,
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// nestedCall is an observed call with an observed child: two spans per
// call, named prefix and prefix+"/child".
func nestedCall(prefix string) func(context.Context, int) (int, error) {
	child := langfuse.Observe1(prefix+"/child", func(_ context.Context, i int) (int, error) { return i + 1, nil })
	return langfuse.Observe1(prefix, func(ctx context.Context, i int) (int, error) { return child(ctx, i) })
}

// runConcurrently makes calls calls of f spread over workers goroutines
// and returns a channel closed when every call has returned. Each call
// must return i+1 for its argument i.
func runConcurrently(t *testing.T, workers, calls int, f func(context.Context, int) (int, error)) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < calls; i += workers {
				if got, err := f(context.Background(), i); err != nil || got != i+1 {
					bad.Add(1)
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		if n := bad.Load(); n > 0 {
			t.Errorf("%d calls returned something else than the wrapped function", n)
		}
		close(done)
	}()
	return done
}

// waitDone fails the test unless done is closed within d.
func waitDone(t *testing.T, done <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: not done after %v", what, d)
	}
}

// countByName counts spans by name.
func countByName(spans []span) map[string]int {
	m := make(map[string]int)
	for _, s := range spans {
		m[s.Name]++
	}
	return m
}

// requireUniqueIDs fails the test if a span id occurs twice.
func requireUniqueIDs(t *testing.T, spans []span) {
	t.Helper()
	seen := make(map[string]int, len(spans))
	for _, s := range spans {
		seen[s.SpanID]++
	}
	for id, n := range seen {
		require.Equal(t, 1, n, "span %s received %d times", id, n)
	}
}

// waitAnswer waits until the proxy has given an answer with status
// (0: a reset).
func (p *faultProxy) waitAnswer(t *testing.T, status int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !slices.Contains(p.statuses(), status) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer %d after %v; answers %v", status, within, p.statuses())
		}
		<-tick.C
	}
}

// TestRefusingBackend checks that while the endpoint resets every
// connection, wrapped calls return what the wrapped function returned,
// in batched mode without waiting on the export, the failure is logged
// once, at most a queue's worth of spans waits for the endpoint, and that
// spans are delivered again once it is back.
func TestRefusingBackend(t *testing.T) {
	const queue = 64
	for _, mode := range exportModes {
		t.Run(mode.name, func(t *testing.T) {
			calls := 400
			if mode.name == "immediate" {
				// Each span holds its goroutine while its export retries
				// the reset connection, for LANGFUSE_TIMEOUT: one call a
				// goroutine shows it.
				calls = 4
			}
			c := startCollector(t)
			p := startFaultProxy(t, c.URL)
			p.setMode(modeRefuse)
			extra := map[string]string{"LANGFUSE_MAX_QUEUE_SIZE": strconv.Itoa(queue), "LANGFUSE_TIMEOUT": "2"}
			maps.Copy(extra, mode.env)
			setLangfuseEnv(t, reliabilityEnv(p.URL, extra))
			var logs logRecorder
			lf := newClient(t, langfuse.WithLogger(logs.logger()))

			done := runConcurrently(t, 4, calls, nestedCall("down"))
			waitDone(t, done, 30*time.Second, "calls while the endpoint refuses")
			p.waitAnswer(t, 0, 10*time.Second) // the exporter did try, and was refused
			// An export retries the refused connection for LANGFUSE_TIMEOUT
			// before it fails: the endpoint stays down until one has.
			require.Eventually(t, func() bool { return lf.Stats().Failed > 0 }, 30*time.Second, 5*time.Millisecond,
				"an export gave up on the refusing endpoint")

			// The endpoint is back. What is still queued goes first: spans
			// that end while the queue is full of it are dropped, rightly.
			p.setMode(modeForward)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			require.NoError(t, lf.Flush(ctx))
			dropped := lf.Stats().Dropped
			done = runConcurrently(t, 2, 10, nestedCall("back"))
			waitDone(t, done, 30*time.Second, "calls after the endpoint is back")
			shutdown(t, lf)
			assert.Equal(t, dropped, lf.Stats().Dropped, "nothing dropped once the endpoint was back")

			spans := c.spans(t)
			requireUniqueIDs(t, spans)
			n := countByName(spans)
			assert.Equal(t, 10, n["back"], "every span made after the endpoint came back is delivered")
			assert.Equal(t, 10, n["back/child"])
			delivered := n["down"] + n["down/child"]
			if mode.name == "immediate" {
				assert.Zero(t, delivered, "no queue in immediate mode: what failed is gone")
			} else {
				// FLUSH_AT=1: one span in hand, the queue behind it.
				assert.LessOrEqual(t, delivered, queue+1, "what waited for the endpoint is bounded by the queue")
				assert.LessOrEqual(t, uint64(delivered)+lf.Stats().Dropped, uint64(2*calls))
			}
			recs := logs.matching(t, "cannot reach")
			require.Len(t, recs, 1, "log:\n%s", logs.String())
			assert.Equal(t, "WARN", recs[0].Level)
		})
	}
}

// TestHangingBackendBatched holds the first export at a proxy that
// never answers and checks that wrapped calls all return while it is
// held, that the queue stays bounded and every span beyond it is counted
// as dropped, and that once the endpoint answers again what was queued
// and every later span are delivered: delivered + dropped = made.
func TestHangingBackendBatched(t *testing.T) {
	const (
		queue, batch = 64, 16
		floodCalls   = 800 // two spans each
		afterCalls   = 10
	)
	c := startCollector(t)
	p := startFaultProxy(t, c.URL)
	p.setMode(modeHang)
	setLangfuseEnv(t, reliabilityEnv(p.URL, map[string]string{
		"LANGFUSE_EXPORT_MODE":    "batched",
		"LANGFUSE_FLUSH_AT":       strconv.Itoa(batch),
		"LANGFUSE_FLUSH_INTERVAL": "60",
		"LANGFUSE_MAX_QUEUE_SIZE": strconv.Itoa(queue),
		// Longer than the test: the export is held until the proxy
		// lets it go, never abandoned by the client.
		"LANGFUSE_TIMEOUT": "60",
	}))
	var logs logRecorder
	lf := newClient(t, langfuse.WithLogger(logs.logger()))
	t.Cleanup(p.heal) // runs before the client's Shutdown

	// One full batch starts the export, which the proxy holds.
	first := langfuse.ObserveCtx("first-batch", func(context.Context) (int, error) { return 1, nil })
	for range batch {
		_, err := first(context.Background())
		require.NoError(t, err)
	}
	p.waitHung(t, 1, 10*time.Second)

	done := runConcurrently(t, 8, floodCalls, nestedCall("flood"))
	waitDone(t, done, 30*time.Second, "calls while the export hangs")
	require.EqualValues(t, 1, p.hung.Load(), "the export was still held while the calls returned")
	require.Empty(t, p.answers(), "nothing was answered while the calls ran")

	dropped := lf.Stats().Dropped
	assert.GreaterOrEqual(t, dropped, uint64(2*floodCalls-queue), "everything beyond the queue is dropped")
	full := logs.matching(t, "export queue full")
	require.Len(t, full, 1, "the first drop is logged, once; log:\n%s", logs.String())
	assert.Contains(t, full[0].Msg, "LANGFUSE_MAX_QUEUE_SIZE")

	// The endpoint is back: the held export goes through, then what is
	// queued. Spans that end while the queue is still full of it are
	// dropped, rightly, so the test waits for it.
	p.setMode(modeForward)
	p.releaseHeld()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, lf.Flush(ctx))
	for i, s := range p.statuses() {
		assert.Equal(t, http.StatusOK, s, "answer %d", i)
	}
	after := nestedCall("after")
	for i := range afterCalls {
		got, err := after(context.Background(), i)
		require.NoError(t, err)
		require.Equal(t, i+1, got)
	}
	shutdown(t, lf)
	assert.Equal(t, dropped, lf.Stats().Dropped, "nothing dropped once the endpoint was back")

	spans := c.spans(t)
	requireUniqueIDs(t, spans)
	n := countByName(spans)
	assert.Equal(t, batch, n["first-batch"], "the held batch is delivered")
	assert.Equal(t, afterCalls, n["after"], "spans made after recovery are delivered")
	assert.Equal(t, afterCalls, n["after/child"])
	delivered := n["flood"] + n["flood/child"]
	assert.LessOrEqual(t, delivered, queue, "at most a queue's worth waited")
	assert.Equal(t, uint64(2*floodCalls), uint64(delivered)+dropped, "delivered + dropped = made")
}

// TestHangingBackendImmediate checks immediate mode, which exports on
// the goroutine that ends the span, against an endpoint that never
// answers: a held export delays only its own goroutine, not every other
// goroutine that ends a span, and each call returns once its export
// times out.
func TestHangingBackendImmediate(t *testing.T) {
	const (
		goroutines = 4
		timeout    = 2 * time.Second
	)
	c := startCollector(t)
	p := startFaultProxy(t, c.URL)
	p.setMode(modeHang)
	setLangfuseEnv(t, reliabilityEnv(p.URL, map[string]string{
		"LANGFUSE_EXPORT_MODE": "immediate",
		"LANGFUSE_TIMEOUT":     strconv.Itoa(int(timeout / time.Second)),
	}))
	lf := newClient(t, langfuse.WithLogger(discardLogger()))
	t.Cleanup(p.heal)

	call := langfuse.Observe1("immediate", func(_ context.Context, i int) (int, error) { return i + 1, nil })
	done := runConcurrently(t, goroutines, goroutines, call)
	// Every goroutine's export reaches the endpoint while the first is
	// still held: they are not queued behind one another.
	p.waitHung(t, goroutines, timeout*3/4)
	// Each call returns when its own export gives up, within the export
	// budget of one span (twice the timeout) plus slack for a slow
	// machine, but far less than one budget per goroutine in turn.
	waitDone(t, done, 2*timeout+3*time.Second, "calls whose exports hang")
	_ = lf
}

// TestShutdownWhileBackendHangs checks that Shutdown returns when its
// context ends, with an error, though an export is held by an endpoint
// that never answers; that a call held in an immediate export returns
// then too; and that the client then abandons the export and counts what
// it gave up on as dropped.
func TestShutdownWhileBackendHangs(t *testing.T) {
	const grace = 500 * time.Millisecond
	for _, mode := range exportModes {
		t.Run(mode.name, func(t *testing.T) {
			c := startCollector(t)
			p := startFaultProxy(t, c.URL)
			p.setMode(modeHang)
			extra := map[string]string{"LANGFUSE_TIMEOUT": "60"}
			maps.Copy(extra, mode.env)
			setLangfuseEnv(t, reliabilityEnv(p.URL, extra))
			lf := newClient(t, langfuse.WithLogger(discardLogger()))
			t.Cleanup(p.heal)

			done := runConcurrently(t, 1, 5, nestedCall("held"))
			p.waitHung(t, 1, 10*time.Second)
			if mode.name == "batched" {
				// The calls do not wait for the export: let every span end
				// before Shutdown, which ignores spans that end after it.
				waitDone(t, done, 10*time.Second, "calls before Shutdown")
			}

			errc := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), grace)
				defer cancel()
				errc <- lf.Shutdown(ctx)
			}()
			select {
			case err := <-errc:
				assert.Error(t, err, "Shutdown says that spans were not exported")
			case <-time.After(10 * grace):
				t.Fatalf("Shutdown with a %v deadline did not return within %v", grace, 10*grace)
			}
			// A call blocked in its export (immediate mode) is let go by
			// Shutdown; calls in batched mode never waited.
			waitDone(t, done, 10*time.Second, "calls after Shutdown")
			// The client stops waiting for the endpoint, which the request
			// timeout alone would leave it doing for a minute.
			require.Eventually(t, func() bool { return p.hung.Load() == 0 }, 5*time.Second, 5*time.Millisecond,
				"the held export is abandoned")
			if mode.name == "batched" {
				require.Eventually(t, func() bool { return lf.Stats().Dropped == 10 }, 5*time.Second, 5*time.Millisecond,
					"the spans given up on are counted as dropped: %d", lf.Stats().Dropped)
			}
		})
	}
}

// TestFlakyBackend checks that answers the exporter may retry (429 with
// Retry-After, 502, 503, 504, and none, the connection reset as by a
// restarting server) are retried, so that the span is delivered once, and
// that nothing is logged then.
func TestFlakyBackend(t *testing.T) {
	tests := []struct {
		name   string
		answer cannedAnswer
		minGap time.Duration // least time between the failed and the next attempt
	}{
		{"429 Retry-After", cannedAnswer{status: http.StatusTooManyRequests,
			header: http.Header{"Retry-After": {"1"}}, body: []byte("slow down")}, time.Second},
		{"502", cannedAnswer{status: http.StatusBadGateway}, 0},
		{"503", cannedAnswer{status: http.StatusServiceUnavailable, body: []byte("restarting")}, 0},
		{"504", cannedAnswer{status: http.StatusGatewayTimeout}, 0},
		{"connection reset", cannedAnswer{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCollector(t)
			p := startFaultProxy(t, c.URL)
			p.answerNext(tt.answer)
			setLangfuseEnv(t, reliabilityEnv(p.URL, map[string]string{
				"LANGFUSE_EXPORT_MODE": "immediate",
				"LANGFUSE_TIMEOUT":     "5", // room for the retry
			}))
			var logs logRecorder
			lf := newClient(t, langfuse.WithLogger(logs.logger()))

			got, err := langfuse.ObserveCtx("flaky", func(context.Context) (string, error) { return "ok", nil })(context.Background())
			require.NoError(t, err)
			require.Equal(t, "ok", got)
			shutdown(t, lf)

			answers := p.answers()
			require.Len(t, answers, 2, "one failure, one retry")
			assert.Equal(t, []int{tt.answer.status, http.StatusOK}, p.statuses())
			assert.GreaterOrEqual(t, answers[1].at.Sub(answers[0].at), tt.minGap, "Retry-After is honoured")
			assert.Equal(t, []string{"flaky"}, names(c.spans(t)), "delivered once")
			assert.Empty(t, logs.String(), "a retried export is nothing to report")
		})
	}
}

// TestRejectedBatchLogged checks that a 400, which is not retried, is
// logged once with the server's own message, in plain text or as the
// protobuf Status that OTLP servers send, however many batches it
// rejects.
func TestRejectedBatchLogged(t *testing.T) {
	const msg = "invalid span id 0000000000000000 in batch"
	tests := []struct {
		name   string
		answer cannedAnswer
	}{
		{"text", cannedAnswer{status: http.StatusBadRequest,
			header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: []byte(msg + "\n")}},
		{"protobuf Status", cannedAnswer{status: http.StatusBadRequest,
			header: http.Header{"Content-Type": {"application/x-protobuf"}}, body: rpcStatus(3, msg)}},
	}
	const calls = 3
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCollector(t)
			p := startFaultProxy(t, c.URL)
			for range calls {
				p.answerNext(tt.answer)
			}
			setLangfuseEnv(t, reliabilityEnv(p.URL, map[string]string{"LANGFUSE_EXPORT_MODE": "immediate"}))
			var logs logRecorder
			lf := newClient(t, langfuse.WithLogger(logs.logger()))

			f := langfuse.ObserveCtx("rejected", func(context.Context) (int, error) { return 1, nil })
			for range calls {
				got, err := f(context.Background())
				require.NoError(t, err)
				require.Equal(t, 1, got)
			}
			shutdown(t, lf)

			assert.Equal(t, slices.Repeat([]int{http.StatusBadRequest}, calls), p.statuses(), "a 400 is not retried")
			recs := logs.matching(t, msg)
			require.Len(t, recs, 1, "one line for %d rejected batches; log:\n%s", calls, logs.String())
			assert.Equal(t, "WARN", recs[0].Level)
			assert.Contains(t, recs[0].Msg, "(400)")
			assert.Empty(t, c.spans(t))
		})
	}
}

// rpcStatus encodes a google.rpc.Status with code and message.
func rpcStatus(code int, msg string) []byte {
	b := []byte{0x08, byte(code), 0x12}
	b = binary.AppendUvarint(b, uint64(len(msg)))
	return append(b, msg...)
}

// discardLogger is a logger for tests that do not look at the log.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
