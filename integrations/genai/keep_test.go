package langfusegenai_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// A stream keeps what the client records of an output (its capture cap,
// here LANGFUSE_CAPTURE_MAX_BYTES=1024) and no more, and still reads the
// usage and finish reason past it.
func TestStreamKeepsTheCaptureCap(t *testing.T) {
	t.Setenv("LANGFUSE_CAPTURE_MAX_BYTES", "1024")
	ctx, rec := langfusetest.New(t)
	piece := strings.Repeat("x", 99) + " "
	chunks := make([]string, 0, 101)
	for i := range 100 {
		chunks = append(chunks, fmt.Sprintf(`{"candidates":[{"content":{"role":"model","parts":[{"text":"%s"}]},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":%d,"totalTokenCount":%d},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}`, piece, i+1, i+10))
	}
	chunks = append(chunks, `{"candidates":[{"content":{"role":"model","parts":[{"text":"."}]},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":2000,"totalTokenCount":2009},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}`)
	stream := sseBody(chunks...)

	rt := langfusegenai.NewTransport(llmtest.Static("text/event-stream", stream))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		"http://127.0.0.1:1/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", strings.NewReader(`{"contents":[]}`))
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, stream, string(got))

	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	parts := outputOf(t, g)["parts"].([]any)
	require.Len(t, parts, 1)
	assert.Len(t, parts[0].(map[string]any)["text"], 1024-2*64, "the cap less the candidate's and the part's own costs")
	assert.Equal(t, 2000, llmtest.UsageOf(t, g)["output"], "read past the cap")
	assert.Equal(t, "MAX_TOKENS", g.Metadata["finish_reason"].AsString())
	assert.Equal(t, int64(1024), g.Metadata["langfuse_output_cut"].AsInt64())
	assert.Empty(t, g.Level)
}
