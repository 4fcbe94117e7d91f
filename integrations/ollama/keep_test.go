package langfuseollama_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// A stream keeps what the client records of an output (its capture cap,
// here LANGFUSE_CAPTURE_MAX_BYTES=1024) and no more, and still reads the
// last line's usage and timings past it.
func TestStreamKeepsTheCaptureCap(t *testing.T) {
	t.Setenv("LANGFUSE_CAPTURE_MAX_BYTES", "1024")
	ctx, rec := langfusetest.New(t)
	var lines []string
	for range 100 {
		lines = append(lines, `{"model":"llama3.2","message":{"role":"assistant","content":"`+strings.Repeat("x", 99)+` "},"done":false}`)
	}
	lines = append(lines, `{"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,"done_reason":"length",`+metricsJSON+`}`)
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/api/chat": ndjson(lines...)}))

	n := 0
	require.NoError(t, newClient(t, fake.URL).Chat(ctx, chatRequest(true), func(r api.ChatResponse) error {
		n += len(r.Message.Content)
		return nil
	}))
	assert.Equal(t, 100*100, n, "the client gets every token")

	gen := llmtest.Find(t, rec, "ollama.chat")
	out := llmtest.JSONOf(t, gen.Output).(map[string]any)
	assert.Len(t, out["content"], 1024)
	assert.Equal(t, map[string]int{"input": 26, "output": 9, "total": 35}, gen.Usage, "read past the cap")
	assert.Equal(t, "length", gen.Metadata["done_reason"].AsString())
	assert.Equal(t, int64(1024), gen.Metadata["langfuse_output_cut"].AsInt64())
	assert.Empty(t, gen.Level)
}
