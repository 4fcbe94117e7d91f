package langfuseanthropic_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// A stream keeps what the client records of an output (its capture cap,
// here LANGFUSE_CAPTURE_MAX_BYTES=1024) and no more, and still reads what
// ends and counts the answer past it.
func TestStreamKeepsTheCaptureCap(t *testing.T) {
	t.Setenv("LANGFUSE_CAPTURE_MAX_BYTES", "1024")
	ctx, rec := langfusetest.New(t)
	events := []sseEvent{messageStart("msg_cap", 9), blockStart(0, `{"type":"text","text":""}`)}
	for range 100 {
		events = append(events, textDelta(0, strings.Repeat("x", 99)+" "))
	}
	events = append(events, blockStop(0), messageDelta("max_tokens", 2000), messageStop)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(sseAnswer(events)))
	body := postMessages(t, ctx, api.URL, `{"model":"claude-sonnet-4-6","max_tokens":2000,"stream":true,"messages":[]}`)
	require.Len(t, body, len(encodeSSE(events)), "the client gets every byte")

	gen := llmtest.Find(t, rec, generationName)
	content := llmtest.JSONOf(t, gen.Output).(map[string]any)["content"].([]any)
	require.Len(t, content, 1)
	text := content[0].(map[string]any)["text"].(string)
	assert.Len(t, text, 1024-64-len(`{"type":"text","text":""}`), "the cap less the block's own cost")
	assert.Equal(t, 2000, llmtest.UsageOf(t, gen)["output"], "read past the cap")
	assert.Equal(t, "max_tokens", gen.Metadata["stop_reason"].AsString())
	assert.Equal(t, int64(1024), gen.Metadata["langfuse_output_cut"].AsInt64())
	assert.Empty(t, gen.Level)
}
