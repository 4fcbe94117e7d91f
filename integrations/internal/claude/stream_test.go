package claude

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

// Once a stream's budget is spent, a delta costs no allocation; what ends
// or counts the answer is still read.
func TestEventsPastTheBudget(t *testing.T) {
	keep := llmhttp.NewBudget(1)
	keep.Append(nil, "too long")
	s := NewStream(keep)
	delta := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"more"}}`)
	if !llmtest.RaceEnabled {
		assert.Zero(t, testing.AllocsPerRun(100, func() { s.Event("content_block_delta", delta) }))
	}
	s.Event("message_delta", []byte(`{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":7}}`))
	s.Event("message_stop", []byte(`{"type":"message_stop"}`))
	r := s.Result()
	assert.True(t, r.Ended)
	assert.Equal(t, 7, r.Usage["output"])
	assert.Equal(t, "max_tokens", r.Metadata["stop_reason"])
	assert.False(t, eventMatters("message_stop", []byte(`{"type":"content_block_delta"}`)), "the data's type wins")
	assert.True(t, eventMatters("content_block_delta", []byte(`{"type":"error"}`)))
	assert.False(t, eventMatters("ping", []byte(`{}`)))
}
