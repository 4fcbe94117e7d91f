package langfuseopenai_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

const chatCompletion = `{
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "object": "chat.completion",
  "created": 1741569952,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": {"role": "assistant", "content": "Paris is the capital of France.", "refusal": null, "annotations": []},
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1200,
    "completion_tokens": 80,
    "total_tokens": 1280,
    "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 30, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_06737a9306"
}`

// weatherTool is the tool the tool-call tests offer.
func weatherTool() openai.ChatCompletionToolUnionParam {
	return openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:        "get_weather",
		Description: openai.String("Current weather of a city"),
		Parameters: shared.FunctionParameters{
			"type":       "object",
			"properties": map[string]any{"city": map[string]string{"type": "string"}},
			"required":   []string{"city"},
		},
	})
}

func TestChatCompletion(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.JSON(200, chatCompletion)}))
	client := newClient(api, 0)

	ctx, parent := observe.Start(ctx, "answer-question")
	got, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: openai.ChatModelGPT4oMini,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Answer in one sentence."),
			openai.UserMessage("What is the capital of France?"),
		},
		Temperature:         openai.Float(0.2),
		MaxCompletionTokens: openai.Int(256),
		TopP:                openai.Float(0.9),
		Seed:                openai.Int(42),
		Stop:                openai.ChatCompletionNewParamsStopUnion{OfStringArray: []string{"\n\n", "END"}},
		Tools:               []openai.ChatCompletionToolUnionParam{weatherTool()},
		ToolChoice:          openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("auto")},
		ResponseFormat:      openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}},
		Metadata:            shared.Metadata{"team": "search"},
	})
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "Paris is the capital of France.", got.Choices[0].Message.Content)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	p := llmtest.Find(t, rec, "answer-question")
	assert.Equal(t, "generation", gen.Type)
	assert.Equal(t, p.ID, gen.ParentID, "nested under the caller's observation")
	assert.Equal(t, p.TraceID, gen.TraceID)
	assert.Equal(t, "gpt-4o-mini-2024-07-18", gen.Attr(semconv.ObservationModel), "the response's model")
	assert.Equal(t, "DEFAULT", levelOf(gen))
	assert.Empty(t, gen.Attr(semconv.ObservationCompletionStartTime), "no completion start time without a stream")

	assert.Equal(t, map[string]any{
		"temperature":           0.2,
		"max_completion_tokens": 256.0,
		"top_p":                 0.9,
		"seed":                  42.0,
		"stop":                  []any{"\n\n", "END"},
		"tools":                 []any{"get_weather"},
		"tool_choice":           "auto",
		"response_format":       "json_object",
	}, llmtest.ParamsOf(t, gen))

	assert.JSONEq(t, `[{"role":"system","content":"Answer in one sentence."},{"role":"user","content":"What is the capital of France?"}]`, gen.Input)
	assert.JSONEq(t, `{"role":"assistant","content":"Paris is the capital of France.","refusal":null,"annotations":[]}`, gen.Output)
	assert.Equal(t, map[string]int{
		"input": 176, "input_cached_tokens": 1024, "input_audio_tokens": 0,
		"output": 50, "output_reasoning_tokens": 30, "output_audio_tokens": 0,
		"output_accepted_prediction_tokens": 0, "output_rejected_prediction_tokens": 0,
		"total": 1280,
	}, llmtest.UsageOf(t, gen))
	assert.Equal(t, "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", gen.Metadata["response_id"].String())
	assert.Equal(t, "stop", gen.Metadata["finish_reason"].String())
	assert.Equal(t, "fp_06737a9306", gen.Metadata["system_fingerprint"].String())
	llmtest.AssertNoSecret(t, rec, apiKey)
}

func levelOf(o langfusetest.Observation) string {
	if o.Level == "" {
		return "DEFAULT"
	}
	return o.Level
}

const toolCallCompletion = `{
  "id": "chatcmpl-tool1",
  "object": "chat.completion",
  "created": 1741569952,
  "model": "gpt-4o-2024-08-06",
  "choices": [{
    "index": 0,
    "message": {
      "role": "assistant",
      "content": null,
      "tool_calls": [
        {"id": "call_abc123", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
        {"id": "call_def456", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Rome\"}"}}
      ],
      "refusal": null,
      "annotations": []
    },
    "logprobs": null,
    "finish_reason": "tool_calls"
  }],
  "usage": {"prompt_tokens": 82, "completion_tokens": 47, "total_tokens": 129}
}`

func TestChatCompletionToolCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.JSON(200, toolCallCompletion)}))
	client := newClient(api, 0)

	got, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4o,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris and Rome?")},
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
		ToolChoice: openai.ChatCompletionToolChoiceOptionUnionParam{OfFunctionToolChoice: &openai.ChatCompletionNamedToolChoiceParam{
			Function: openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_weather"},
		}},
	})
	require.NoError(t, err)
	require.Len(t, got.Choices[0].Message.ToolCalls, 2)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, "get_weather", llmtest.ParamsOf(t, gen)["tool_choice"])
	var out struct {
		Content   *string `json:"content"`
		ToolCalls []struct {
			ID       string `json:"id"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	}
	require.NoError(t, json.Unmarshal([]byte(gen.Output), &out), gen.Output)
	assert.Nil(t, out.Content)
	require.Len(t, out.ToolCalls, 2)
	assert.Equal(t, "call_abc123", out.ToolCalls[0].ID)
	assert.Equal(t, "get_weather", out.ToolCalls[0].Function.Name)
	assert.JSONEq(t, `{"city":"Paris"}`, out.ToolCalls[0].Function.Arguments)
	assert.JSONEq(t, `{"city":"Rome"}`, out.ToolCalls[1].Function.Arguments)
	assert.Equal(t, "tool_calls", gen.Metadata["finish_reason"].String())
	assert.Equal(t, map[string]int{"input": 82, "output": 47, "total": 129}, llmtest.UsageOf(t, gen))
}

// chatStream is a streamed answer, as the API sends it with
// stream_options.include_usage: a role chunk, content deltas, a chunk
// with the finish reason, a chunk with the usage and no choices, [DONE].
var chatStream = []string{
	data(`{"id":"chatcmpl-stream1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`),
	data(`{"id":"chatcmpl-stream1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Paris"},"logprobs":null,"finish_reason":null}],"usage":null}`),
	data(`{"id":"chatcmpl-stream1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":" is the"},"logprobs":null,"finish_reason":null}],"usage":null}`),
	data(`{"id":"chatcmpl-stream1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":" capital."},"logprobs":null,"finish_reason":null}],"usage":null}`),
	data(`{"id":"chatcmpl-stream1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`),
	data(`{"id":"chatcmpl-stream1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":4,"total_tokens":23,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`),
	data(`[DONE]`),
}

func TestChatCompletionStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.EventStream(chatStream...)}))
	client := newClient(api, 0)

	ctx, parent := observe.Start(ctx, "parent")
	stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:         openai.ChatModelGPT4oMini,
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Capital of France?")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
		Temperature:   openai.Float(0),
	})
	var acc openai.ChatCompletionAccumulator
	var chunks []string
	for stream.Next() {
		c := stream.Current()
		acc.AddChunk(c)
		chunks = append(chunks, c.RawJSON())
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())
	parent.End()

	// The SDK saw every event byte for byte.
	require.Len(t, chunks, len(chatStream)-1)
	for i, c := range chunks {
		assert.Equal(t, chatStream[i], data(c), "chunk %d", i)
	}
	assert.Equal(t, "Paris is the capital.", acc.Choices[0].Message.Content)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, llmtest.Find(t, rec, "parent").ID, gen.ParentID)
	assert.Equal(t, "DEFAULT", levelOf(gen), gen.StatusMessage)
	assert.Equal(t, "gpt-4o-mini-2024-07-18", gen.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `{"role":"assistant","content":"Paris is the capital."}`, gen.Output)
	assert.JSONEq(t, `[{"role":"user","content":"Capital of France?"}]`, gen.Input)
	assert.Equal(t, map[string]any{"temperature": 0.0}, llmtest.ParamsOf(t, gen), "stream and stream_options are not model parameters")
	assert.Equal(t, 23, llmtest.UsageOf(t, gen)["total"])
	assert.Equal(t, 19, llmtest.UsageOf(t, gen)["input"])
	assert.Equal(t, 4, llmtest.UsageOf(t, gen)["output"])
	assert.Equal(t, "stop", gen.Metadata["finish_reason"].String())
	assert.Equal(t, "chatcmpl-stream1", gen.Metadata["response_id"].String())
	completionStart(t, gen)

	var sent struct {
		Stream        bool `json:"stream"`
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	require.NoError(t, json.Unmarshal(api.Requests()[0].Body, &sent))
	assert.True(t, sent.Stream && sent.StreamOptions.IncludeUsage, "the request reached the server unchanged")
}

// toolCallStream streams two tool calls, their arguments in fragments.
var toolCallStream = []string{
	data(`{"id":"chatcmpl-tools","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_p1","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]}`),
	data(`{"id":"chatcmpl-tools","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"logprobs":null,"finish_reason":null}]}`),
	data(`{"id":"chatcmpl-tools","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\": \"Paris\"}"}}]},"logprobs":null,"finish_reason":null}]}`),
	data(`{"id":"chatcmpl-tools","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_r2","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}`),
	data(`{"id":"chatcmpl-tools","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"city\": \"Rome\"}"}}]},"logprobs":null,"finish_reason":null}]}`),
	data(`{"id":"chatcmpl-tools","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}`),
	data(`[DONE]`),
}

func TestChatCompletionStreamToolCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.EventStream(toolCallStream...)}))
	client := newClient(api, 0)

	stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4o,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris and Rome?")},
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	require.Len(t, acc.Choices[0].Message.ToolCalls, 2)
	assert.Equal(t, `{"city": "Paris"}`, acc.Choices[0].Message.ToolCalls[0].Function.Arguments)

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, "DEFAULT", levelOf(gen), gen.StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":null,"tool_calls":[
		{"id":"call_p1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
		{"id":"call_r2","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Rome\"}"}}]}`, gen.Output)
	assert.Equal(t, "tool_calls", gen.Metadata["finish_reason"].String())
	assert.Empty(t, gen.Attr(semconv.ObservationUsageDetails), "no usage without include_usage")
	completionStart(t, gen)
}
