package llmhttp

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// A body the caller drops without reading it to its end or closing it
// still ends its generation, once the body is collected.
func TestAbandonedBodyEndsItsGeneration(t *testing.T) {
	t.Parallel()
	ctx, rec, ended := llmtest.SignallingContext(t)
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

	require.True(t, llmtest.CollectUntil(ended, 1000), "the abandoned body's generation was not ended")
	g := llmtest.Find(t, rec, "fake.complete")
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

	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "WARNING", g.Level)
	assert.Equal(t, errCanceled.Error(), g.StatusMessage)
	assert.False(t, g.Failed())
	assert.Equal(t, "partial", g.Output)
}
