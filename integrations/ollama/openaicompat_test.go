package langfuseollama_test

import (
	"net/http"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
)

// Ollama's OpenAI-compatible API (/v1) is recorded by langfuseopenai's
// transport, as any OpenAI-compatible server is: a call of an OpenAI
// client to a fake Ollama /v1/chat/completions is a generation with the
// model, the answer and the usage.
func TestOpenAICompatibleAPI(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	// What Ollama answers at /v1/chat/completions.
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.JSON(http.StatusOK,
		`{"id":"chatcmpl-318","object":"chat.completion","created":1767225600,"model":"llama3.2","system_fingerprint":"fp_ollama",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello there."},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":26,"completion_tokens":4,"total_tokens":30}}`)}))

	cfg := goopenai.DefaultConfig("ollama") // Ollama takes any key
	cfg.BaseURL = fake.URL + "/v1"
	cfg.HTTPClient = &http.Client{Transport: langfuseopenai.NewTransport(nil)}
	resp, err := goopenai.NewClientWithConfig(cfg).CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
		Model:    "llama3.2",
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Say hello."}},
	})
	require.NoError(t, err)
	assert.Equal(t, "Hello there.", resp.Choices[0].Message.Content)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, "generation", gen.Type)
	assert.Equal(t, "llama3.2", gen.Model)
	assert.Equal(t, map[string]int{"input": 26, "output": 4, "total": 30}, gen.Usage)
	assert.JSONEq(t, `[{"role":"user","content":"Say hello."}]`, gen.Input)
	assert.Contains(t, gen.Output, "Hello there.")
	assert.Empty(t, gen.Level)
	assert.Equal(t, "/v1/chat/completions", fake.Requests()[0].Path)
}
