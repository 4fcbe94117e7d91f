package llmhttp

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// A wire like Gemini's has no end-of-stream event of its own: the last
// chunk carries the finish reason. A server that ends the body cleanly
// before that chunk cut the answer short, which EOF alone does not show.
func TestStreamEndedBeforeItsLastEvent(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	stream := "data: {\"delta\":\"half\"}\n\n" // no [END]
	rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "the SDK sees a clean end")
	require.Equal(t, stream, string(b))
	require.NoError(t, resp.Body.Close())

	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "half", g.Output)
	assert.Equal(t, "WARNING", g.Level)
	assert.Equal(t, errEndedEarly.Error(), g.StatusMessage)
	assert.False(t, g.Failed(), "a warning does not mark the span failed")
}
