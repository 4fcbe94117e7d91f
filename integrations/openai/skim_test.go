package langfuseopenai

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

// spent is a budget with no room left.
func spent() *llmhttp.Budget {
	keep := llmhttp.NewBudget(1)
	keep.Append(nil, "too long")
	return keep
}

// Once a stream's budget is spent, a chunk that only carries more text
// costs no allocation: a stream far over the cap holds and makes no more
// than one at the cap.
func TestChunksPastTheBudgetAllocateNothing(t *testing.T) {
	if llmtest.RaceEnabled {
		t.Skip("allocations are counted without the race detector")
	}
	for _, tc := range []struct {
		kind  int
		event string
		data  string
	}{
		{kindChat, "", `{"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"more \"text\"\n"},"logprobs":null,"finish_reason":null}],"usage":null}`},
		{kindResponses, "response.output_text.delta", `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"more"}`},
		{kindResponses, "response.function_call_arguments.delta", `{"type":"response.function_call_arguments.delta","output_index":1,"delta":"{\"a\""}`},
	} {
		s := provider{}.Stream(llmhttp.Operation{Kind: tc.kind}, spent())
		data := []byte(tc.data)
		assert.Zero(t, testing.AllocsPerRun(100, func() { s.Event(tc.event, data) }), tc.data)
	}
}

// What ends or counts the answer is still read past the budget.
func TestChunksPastTheBudgetThatMatter(t *testing.T) {
	for _, data := range []string{
		`{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
		`{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
		`{"error":{"message":"overloaded"}}`,
		`{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]`, // cut: decoded, and counted as unreadable
		`{"ch\u006fices":[]}`,
	} {
		assert.True(t, chatChunkMatters([]byte(data)), data)
	}
	assert.False(t, chatChunkMatters([]byte(`{"choices":[{"index":3,"delta":{"content":"x"},"finish_reason":null}],"usage":null}`)))
	for _, tc := range []struct{ event, data string }{
		{"response.completed", `{"type":"response.completed","response":{}}`},
		{"", `{"type":"error","message":"x"}`},
		{"response.failed", `{"response":{}}`},
		{"", `{"type":"response.incomplet\u0065"}`},
	} {
		assert.True(t, responsesEventMatters(tc.event, []byte(tc.data)), tc.data)
	}
	assert.False(t, responsesEventMatters("response.completed", []byte(`{"type":"response.output_text.delta"}`)), "the data's type wins")
}
