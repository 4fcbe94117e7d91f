package langfuseopenai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
)

// postStream posts body to path through a transport over a base that
// answers stream, and reads the answer to its end.
func postStream(t *testing.T, ctx context.Context, path, body, stream string, opts ...langfuseopenai.Option) {
	t.Helper()
	rt := langfuseopenai.NewTransport(llmtest.Static("text/event-stream", stream), opts...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:1"+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, stream, string(got))
}

// A stream keeps what the client records of an output (its capture cap,
// here LANGFUSE_CAPTURE_MAX_BYTES=1024) and no more, and still reads what
// ends and counts the answer past it.
func TestStreamKeepsTheCaptureCap(t *testing.T) {
	t.Setenv("LANGFUSE_CAPTURE_MAX_BYTES", "1024")
	piece := strings.Repeat("x", 99) + " "
	t.Run("chat", func(t *testing.T) {
		ctx, rec := langfusetest.New(t)
		var b strings.Builder
		b.WriteString(data(`{"id":"c1","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`))
		for range 100 {
			b.WriteString(data(`{"id":"c1","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"` + piece + `"},"finish_reason":null}]}`))
		}
		b.WriteString(data(`{"id":"c1","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}`))
		b.WriteString(data(`{"id":"c1","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2000,"total_tokens":2009}}`))
		b.WriteString(data(`[DONE]`))
		postStream(t, ctx, "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"messages":[]}`, b.String())

		g := llmtest.Find(t, rec, "openai.chat.completions")
		var out struct{ Content string }
		require.NoError(t, json.Unmarshal([]byte(g.Output), &out))
		assert.Len(t, out.Content, 1024-64, "the cap less the choice's own cost")
		assert.Equal(t, map[string]int{"input": 9, "output": 2000, "total": 2009}, llmtest.UsageOf(t, g), "read past the cap")
		assert.Equal(t, "length", g.Metadata["finish_reason"].AsString())
		assert.Equal(t, int64(1024), g.Metadata["langfuse_output_cut"].AsInt64())
		assert.Empty(t, g.Level)
	})
	t.Run("responses", func(t *testing.T) {
		ctx, rec := langfusetest.New(t)
		var b strings.Builder
		b.WriteString(typed(`{"type":"response.output_item.added","output_index":0,"item":{"type":"message","role":"assistant","content":[]}}`))
		for range 100 {
			b.WriteString(typed(`{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"` + piece + `"}`))
		}
		b.WriteString(typed(`{"type":"response.completed","response":{"id":"resp_1","model":"gpt-4.1-2025-04-14","status":"completed","output":[],"usage":{"input_tokens":9,"output_tokens":2000,"total_tokens":2009}}}`))
		postStream(t, ctx, "/v1/responses", `{"model":"gpt-4.1","stream":true,"input":"Talk."}`, b.String())

		g := llmtest.Find(t, rec, "openai.responses")
		var out struct{ Content string }
		require.NoError(t, json.Unmarshal([]byte(g.Output), &out))
		assert.Len(t, out.Content, 1024-64)
		assert.Equal(t, 2000, llmtest.UsageOf(t, g)["output"], "read past the cap")
		assert.Equal(t, "completed", g.Metadata["status"].AsString())
		assert.Equal(t, int64(1024), g.Metadata["langfuse_output_cut"].AsInt64())
		assert.Empty(t, g.Level)
	})
	t.Run("ever new choice indexes", func(t *testing.T) {
		ctx, rec := langfusetest.New(t)
		var b strings.Builder
		for i := range 5000 {
			b.WriteString(data(fmt.Sprintf(`{"id":"c1","choices":[{"index":%d,"delta":{"content":"hi"},"finish_reason":null}]}`, i)))
		}
		b.WriteString(data(`[DONE]`))
		postStream(t, ctx, "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"messages":[]}`, b.String())

		g := llmtest.Find(t, rec, "openai.chat.completions")
		var out []json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(g.Output), &out))
		assert.Len(t, out, 15, "as many choices as the cap holds")
		assert.Equal(t, int64(1024), g.Metadata["langfuse_output_cut"].AsInt64())
	})
}

// WithCaptureMaxBytes sets what a stream keeps, for a client whose cap is
// set in code rather than in the environment; nil options are ignored.
func TestWithCaptureMaxBytes(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var b strings.Builder
	for range 100 {
		b.WriteString(data(`{"choices":[{"index":0,"delta":{"content":"` + strings.Repeat("y", 100) + `"},"finish_reason":null}]}`))
	}
	b.WriteString(data(`[DONE]`))
	postStream(t, ctx, "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"messages":[]}`, b.String(),
		nil, langfuseopenai.WithCaptureMaxBytes(2048))
	g := llmtest.Find(t, rec, "openai.chat.completions")
	var out struct{ Content string }
	require.NoError(t, json.Unmarshal([]byte(g.Output), &out))
	assert.Len(t, out.Content, 2048-64)
	assert.Equal(t, int64(2048), g.Metadata["langfuse_output_cut"].AsInt64())
}
