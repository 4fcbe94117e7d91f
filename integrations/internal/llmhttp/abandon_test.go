package llmhttp

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/tracing"
)

// signalling records spans and says on ended each time one ends.
type signalling struct {
	*langfusetest.Recorder
	ended chan struct{}
}

func (s signalling) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := s.Recorder.ExportSpans(ctx, spans)
	for range spans {
		select {
		case s.ended <- struct{}{}:
		default:
		}
	}
	return err
}

// signallingClient is langfusetest.New with a channel that receives when
// a span ends.
func signallingClient(t *testing.T) (context.Context, *langfusetest.Recorder, <-chan struct{}) {
	t.Helper()
	exp := signalling{langfusetest.NewRecorder(), make(chan struct{}, 16)}
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(exp),
		langfuse.WithExportFilter(tracing.ExportAll), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c.Context(context.Background()), exp.Recorder, exp.ended
}

// collectUntil runs the garbage collector until ended receives, at most
// attempts times, and reports whether it did.
func collectUntil(ended <-chan struct{}, attempts int) bool {
	gaveUp := make(chan struct{})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(gaveUp)
		for range attempts {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
				runtime.Gosched()
			}
		}
	}()
	select {
	case <-ended:
		return true
	case <-gaveUp:
		// The last collection may have queued the cleanup just now.
		select {
		case <-ended:
			return true
		default:
			return false
		}
	}
}

// A body the caller drops without reading it to its end or closing it
// still ends its generation, once the body is collected.
func TestAbandonedBodyEndsItsGeneration(t *testing.T) {
	t.Parallel()
	ctx, rec, ended := signallingClient(t)
	stream := "data: {\"delta\":\"partial\"}\n\ndata: {\"delta\":\" more\"}\n\ndata: [END]\n\n"
	rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
	func() {
		resp := call(t, ctx, rt, request)
		buf := make([]byte, len("data: {\"delta\":\"partial\"}\n\n"))
		_, err := io.ReadFull(resp.Body, buf)
		require.NoError(t, err)
		_, ok := rec.Find("fake.complete")
		require.False(t, ok, "open while the body is reachable")
		runtime.KeepAlive(resp)
	}()

	require.True(t, collectUntil(ended, 1000), "the abandoned body's generation was not ended")
	g := find(t, rec, "fake.complete")
	assert.Equal(t, "WARNING", g.Level)
	assert.Equal(t, errAbandoned.Error(), g.StatusMessage)
	assert.False(t, g.Failed(), "a warning, not a failure")
	assert.Equal(t, "partial", g.Output, "what was read is recorded")
}

// ctxReader yields first, then blocks until ctx is done and fails with
// its error, as net/http's bodies do when the request's context ends.
type ctxReader struct {
	ctx   context.Context
	first string
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if r.first != "" {
		n := copy(p, r.first)
		r.first = r.first[n:]
		return n, nil
	}
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

// A caller that cancels its request mid-stream hung up: a warning, with
// what arrived, not an error.
func TestStreamCanceledByTheCaller(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	ctx, cancel := context.WithCancel(ctx)
	body := &ctxReader{ctx: ctx, first: "data: {\"delta\":\"partial\"}\n\n"}
	rt := New(answer(200, "text/event-stream", body, nil), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	buf := make([]byte, 64)
	_, err := resp.Body.Read(buf)
	require.NoError(t, err)
	cancel()
	_, err = resp.Body.Read(buf)
	require.ErrorIs(t, err, context.Canceled, "the SDK gets the error itself")
	require.NoError(t, resp.Body.Close())

	g := find(t, rec, "fake.complete")
	assert.Equal(t, "WARNING", g.Level)
	assert.Equal(t, errCanceled.Error(), g.StatusMessage)
	assert.False(t, g.Failed())
	assert.Equal(t, "partial", g.Output)
}
