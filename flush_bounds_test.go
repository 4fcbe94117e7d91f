package langfuse_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/spantest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/tracing"
)

// Flush at the end of a request must return while other requests go on
// ending spans faster than they are exported.
func TestFlushReturnsUnderSteadyLoad(t *testing.T) {
	const limit = 20000
	exp := spantest.NewPacedExporter(limit)
	cfg := config.Default()
	cfg.ExportMode = config.ExportBatched
	cfg.FlushAt, cfg.MaxQueueSize, cfg.FlushInterval = 8, 256, time.Hour
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(exp), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	ctx := c.Context(context.Background())
	end := func() {
		_, o := observe.Start(ctx, "request")
		o.End()
	}
	for range 3 * cfg.FlushAt { // full batches, queued before the producer starts
		end()
	}
	halt := exp.Produce(end)

	require.NoError(t, c.Flush(context.Background()))
	flushed := exp.Exported()
	halt()
	assert.LessOrEqual(t, flushed, int64(limit), "Flush kept exporting the spans that ended while it ran")
}

// langfuseStub is a stand-in for Langfuse on 127.0.0.1 whose two
// endpoints, OTLP traces and score ingestion, each answer with a status,
// or with status 0 hold every request until the test ends. Each request
// is told on the channel of its endpoint.
type langfuseStub struct {
	srv                     *httptest.Server
	spans, scores           chan struct{}
	release                 chan struct{}
	releaseOnce             sync.Once
	spanStatus, scoreStatus int
}

func newLangfuseStub(t *testing.T, spanStatus, scoreStatus int) *langfuseStub {
	t.Helper()
	s := &langfuseStub{spans: make(chan struct{}, 100), scores: make(chan struct{}, 100),
		release: make(chan struct{}), spanStatus: spanStatus, scoreStatus: scoreStatus}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.unblock() // before Close, which waits for the held requests
		s.srv.Close()
	})
	return s
}

func (s *langfuseStub) unblock() { s.releaseOnce.Do(func() { close(s.release) }) }

func (s *langfuseStub) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	status, told := s.scoreStatus, s.scores
	if r.URL.Path == config.TracesPath {
		status, told = s.spanStatus, s.spans
	}
	told <- struct{}{}
	if status == 0 {
		select {
		case <-s.release:
			status = http.StatusOK
			if told == s.scores {
				status = http.StatusMultiStatus // every event taken, as {} says
			}
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
	if status == http.StatusMultiStatus {
		_, _ = io.WriteString(w, `{"successes":[],"errors":[]}`)
	}
}

func stubClient(t *testing.T, s *langfuseStub, change func(*config.Config)) *langfuse.Client {
	t.Helper()
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-1", "sk-lf-1", s.srv.URL
	cfg.ExportMode = config.ExportBatched
	cfg.FlushInterval = time.Hour // spans and scores leave when Flush or Shutdown asks
	cfg.Timeout = time.Hour       // only the ctx of Flush or Shutdown ends a request
	if change != nil {
		change(&cfg)
	}
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.AsDefault(false),
		langfuse.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	t.Cleanup(func() {
		s.unblock() // a failed test may have left requests held
		_ = c.Shutdown(context.Background())
	})
	return c
}

// spanAndScore records one span and one score through c.
func spanAndScore(t *testing.T, c *langfuse.Client) {
	t.Helper()
	ctx, o := observe.Start(c.Context(context.Background()), "answer")
	require.NoError(t, observe.Score(ctx, "relevance", 0.9))
	o.End()
}

// A scores endpoint that hangs must not hold the spans back: Flush and
// Shutdown export the spans while the score request is still waiting.
func TestSpansAndScoresGoAtOnce(t *testing.T) {
	ops := map[string]func(*langfuse.Client, context.Context) error{
		"Flush":    (*langfuse.Client).Flush,
		"Shutdown": (*langfuse.Client).Shutdown,
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			stub := newLangfuseStub(t, http.StatusOK, 0)
			c := stubClient(t, stub, nil)
			spanAndScore(t, c)

			// The deadline only ends the test should the spans wait for
			// the scores; Flush returns long before.
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			result := make(chan error, 1)
			go func() { result <- op(c, ctx) }()
			for _, ch := range []chan struct{}{stub.scores, stub.spans} {
				select {
				case <-ch:
				case err := <-result:
					t.Fatalf("%s returned (%v) before the spans and the score were both sent", name, err)
				}
			}
			stub.unblock() // the score request was still held when the spans arrived
			require.NoError(t, <-result)
			st := c.Stats()
			assert.Equal(t, uint64(1), st.Exported)
			assert.Equal(t, uint64(1), st.ScoresSent)
		})
	}
}

// Flush and Shutdown return what went wrong with spans and with scores,
// both.
func TestFlushAndShutdownReturnTheExportErrors(t *testing.T) {
	ops := map[string]func(*langfuse.Client, context.Context) error{
		"Flush":    (*langfuse.Client).Flush,
		"Shutdown": (*langfuse.Client).Shutdown,
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			stub := newLangfuseStub(t, http.StatusNotFound, http.StatusNotFound)
			c := stubClient(t, stub, nil)
			spanAndScore(t, c)
			err := op(c, context.Background())
			var ee *tracing.ExportError
			require.ErrorAs(t, err, &ee, "the spans' error")
			assert.Equal(t, "not_found", ee.Kind)
			assert.ErrorContains(t, err, "scores: score ingestion answered 404")
			assert.NotContains(t, err.Error(), "sk-lf-1")
			st := c.Stats()
			assert.Equal(t, uint64(1), st.Dropped)
			assert.Equal(t, uint64(1), st.ScoresFailed)
		})
	}
}

// Shutdown with a ctx that has already ended gives up everything still
// queued or in flight and has counted it when it returns.
func TestStatsAreFinalWhenShutdownReturns(t *testing.T) {
	stub := newLangfuseStub(t, 0, 0)
	c := stubClient(t, stub, func(cfg *config.Config) { cfg.FlushAt = 1 })
	const spans, scores = 50, 20
	ctx, o := observe.Start(c.Context(context.Background()), "root")
	for range scores {
		require.NoError(t, observe.Score(ctx, "s", 1))
	}
	for range spans - 1 {
		_, child := observe.Start(ctx, "child")
		child.End()
	}
	o.End()
	<-stub.spans  // an export is held by the server
	<-stub.scores // and a score request

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Shutdown(ctx)
	require.ErrorIs(t, err, context.Canceled)
	st := c.Stats()
	assert.Equal(t, uint64(spans), st.Dropped, "every span is counted when Shutdown returns")
	assert.Equal(t, uint64(scores), st.ScoresDropped, "every score too")
	assert.Zero(t, st.Exported+st.Failed+st.ScoresSent+st.ScoresFailed)
	assert.Equal(t, st, c.Stats(), "and nothing changes afterwards")
}

// A span started before Shutdown and ended after it is not exported, and
// counted as dropped.
func TestSpanEndedAfterShutdownIsCountedAsDropped(t *testing.T) {
	for _, mode := range []config.ExportMode{config.ExportBatched, config.ExportImmediate} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := config.Default()
			cfg.ExportMode = mode
			rec := langfusetest.NewRecorder()
			c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec), langfuse.AsDefault(false),
				langfuse.WithLogger(slog.New(slog.DiscardHandler)))
			require.NoError(t, err)
			_, o := observe.Start(c.Context(context.Background()), "outlives the client")
			require.NoError(t, c.Shutdown(context.Background()))
			o.End()
			assert.Equal(t, uint64(1), c.Stats().Dropped)
			assert.Empty(t, rec.Spans())
		})
	}
}
