package langfusegenai

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

// Once a stream's budget is spent, a chunk that only carries more text
// costs no allocation, yet its usage is read; a chunk that ends the
// answer is decoded.
func TestChunksPastTheBudget(t *testing.T) {
	keep := llmhttp.NewBudget(2*entryCost + 1) // the candidate, its text part and "a"
	s := provider{}.Stream(llmhttp.Operation{Kind: kindStream}, keep).(*stream)
	s.Event("", []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]},"index":0}],"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}`))
	chunk := []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"more \"text\""}]},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":5,"totalTokenCount":14,"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}]},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}`)
	s.Event("", chunk)
	assert.True(t, keep.Spent())
	if !llmtest.RaceEnabled {
		assert.Zero(t, testing.AllocsPerRun(100, func() { s.Event("", chunk) }))
	}
	assert.Equal(t, 5, s.Result().Usage["output"], "the usage is read by the skim")
	s.Event("", []byte(`{"candidates":[{"content":{"parts":[{"text":"."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":6,"totalTokenCount":15},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}`))
	r := s.Result()
	assert.True(t, r.Ended, "the finish reason is read past the budget")
	assert.Equal(t, 6, r.Usage["output"])
	assert.Equal(t, "STOP", r.Metadata["finish_reason"])
	assert.Zero(t, s.acc.bad)

	assert.False(t, s.acc.skim([]byte(`{"error":{"code":429}}`)), "an error is decoded")
	assert.False(t, s.acc.skim([]byte(`{"modelVersion":"other"}`)), "another model is decoded")
	assert.False(t, s.acc.skim([]byte(`{"usageMetadata":{"totalTokenCount":1.5}}`)), "a count it cannot read is decoded")
	assert.False(t, s.acc.skim([]byte(`{"candidates":[`)), "what it cannot skim is decoded")
}
