package langfuseopenai_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// newGoOpenAI is a github.com/sashabaranov/go-openai client against f,
// with the transport.
func newGoOpenAI(f *llmtest.FakeAPI) *goopenai.Client {
	cfg := goopenai.DefaultConfig(apiKey)
	cfg.BaseURL = f.URL + "/v1"
	cfg.HTTPClient = &http.Client{Transport: langfuseopenai.NewTransport(nil)}
	return goopenai.NewClientWithConfig(cfg)
}

func TestGoOpenAIChatCompletion(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.JSON(200, chatCompletion)}))
	client := newGoOpenAI(api)

	ctx, parent := observe.Start(ctx, "parent")
	got, err := client.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
		Model:               goopenai.GPT4oMini,
		Messages:            []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Capital of France?"}},
		Temperature:         0.3,
		MaxCompletionTokens: 100,
	})
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "Paris is the capital of France.", got.Choices[0].Message.Content)
	assert.Equal(t, 1024, got.Usage.PromptTokensDetails.CachedTokens)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, llmtest.Find(t, rec, "parent").ID, gen.ParentID)
	assert.Equal(t, "gpt-4o-mini-2024-07-18", gen.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `[{"role":"user","content":"Capital of France?"}]`, gen.Input)
	assert.Equal(t, map[string]any{"temperature": 0.3, "max_completion_tokens": 100.0}, llmtest.ParamsOf(t, gen))
	assert.Equal(t, 176, llmtest.UsageOf(t, gen)["input"])
	assert.Equal(t, 1024, llmtest.UsageOf(t, gen)["input_cached_tokens"])
	llmtest.AssertNoSecret(t, rec, apiKey)
}

func TestGoOpenAIChatCompletionStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.EventStream(append(append([]string(nil), toolCallStream[:len(toolCallStream)-1]...), chatStream[5], chatStream[6])...)}))
	client := newGoOpenAI(api)

	stream, err := client.CreateChatCompletionStream(ctx, goopenai.ChatCompletionRequest{
		Model:         goopenai.GPT4o,
		Messages:      []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Weather in Paris and Rome?"}},
		Stream:        true,
		StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
		Tools: []goopenai.Tool{{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
			Name: "get_weather", Parameters: map[string]any{"type": "object"},
		}}},
	})
	require.NoError(t, err)
	var args [2]strings.Builder
	var usage *goopenai.Usage
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if resp.Usage != nil {
			usage = resp.Usage
		}
		for _, c := range resp.Choices {
			for _, tc := range c.Delta.ToolCalls {
				args[*tc.Index].WriteString(tc.Function.Arguments)
			}
		}
	}
	require.NoError(t, stream.Close())
	assert.Equal(t, `{"city": "Paris"}`, args[0].String())
	assert.Equal(t, `{"city": "Rome"}`, args[1].String())
	require.NotNil(t, usage)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, "DEFAULT", levelOf(gen), gen.StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":null,"tool_calls":[
		{"id":"call_p1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
		{"id":"call_r2","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Rome\"}"}}]}`, gen.Output)
	assert.Equal(t, []any{"get_weather"}, llmtest.ParamsOf(t, gen)["tools"])
	assert.Equal(t, 23, llmtest.UsageOf(t, gen)["total"])
	completionStart(t, gen)
}

func TestGoOpenAIError(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	const msg = "The model `gpt-9` does not exist or you do not have access to it."
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.JSON(404,
		`{"error":{"message":"`+msg+`","type":"invalid_request_error","param":null,"code":"model_not_found"}}`)}))
	client := newGoOpenAI(api)

	_, err := client.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
		Model:    "gpt-9",
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Hi"}},
	})
	var apiErr *goopenai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, msg, apiErr.Message)
	assert.Equal(t, "model_not_found", apiErr.Code)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.True(t, gen.Failed())
	assert.Equal(t, "404 Not Found: "+msg, gen.StatusMessage)
	assert.Equal(t, "gpt-9", gen.Attr(semconv.ObservationModel))
}

// TestGoOpenAIAzure: Azure OpenAI's deployment URLs and api-key header.
func TestGoOpenAIAzure(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/openai/deployments/prod-gpt4o/chat/completions": llmtest.JSON(200, chatCompletion)}))
	cfg := goopenai.DefaultAzureConfig(apiKey, api.URL)
	cfg.AzureModelMapperFunc = func(string) string { return "prod-gpt4o" }
	cfg.HTTPClient = &http.Client{Transport: langfuseopenai.NewTransport(nil)}
	client := goopenai.NewClientWithConfig(cfg)

	_, err := client.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
		Model:    goopenai.GPT4o,
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Hi"}},
	})
	require.NoError(t, err)
	req := api.Requests()[0]
	assert.Contains(t, req.Query, "api-version=")
	assert.Equal(t, apiKey, req.Header.Get("Api-Key"), "sent in the api-key header")

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, "gpt-4o-mini-2024-07-18", gen.Attr(semconv.ObservationModel))
	llmtest.AssertNoSecret(t, rec, apiKey)
}
