package langfuseopenai_test

import (
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

const responseBody = `{
  "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
  "object": "response",
  "created_at": 1741476542,
  "status": "completed",
  "error": null,
  "incomplete_details": null,
  "instructions": "Answer in one sentence.",
  "max_output_tokens": 300,
  "model": "gpt-4.1-2025-04-14",
  "output": [
    {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Recall the capital."}]},
    {"type": "message", "id": "msg_67ccd2bf17f0819081ff3bb2cf6508e6", "status": "completed", "role": "assistant",
     "content": [{"type": "output_text", "text": "Paris is the capital of France.", "annotations": []}]}
  ],
  "parallel_tool_calls": true,
  "previous_response_id": null,
  "reasoning": {"effort": "low", "summary": null},
  "store": true,
  "temperature": 0.5,
  "text": {"format": {"type": "text"}},
  "tool_choice": "auto",
  "tools": [],
  "top_p": 1.0,
  "truncation": "disabled",
  "usage": {
    "input_tokens": 36,
    "input_tokens_details": {"cached_tokens": 16},
    "output_tokens": 87,
    "output_tokens_details": {"reasoning_tokens": 64},
    "total_tokens": 123
  },
  "user": null,
  "metadata": {}
}`

func TestResponses(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/responses": llmtest.JSON(200, responseBody)}))
	client := newClient(api, 0)

	ctx, parent := observe.Start(ctx, "parent")
	got, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model:           openai.ChatModelGPT4_1,
		Instructions:    openai.String("Answer in one sentence."),
		Input:           responses.ResponseNewParamsInputUnion{OfString: openai.String("What is the capital of France?")},
		Temperature:     openai.Float(0.5),
		MaxOutputTokens: openai.Int(300),
		Reasoning:       shared.ReasoningParam{Effort: shared.ReasoningEffortLow},
		Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{
			Name:       "get_weather",
			Parameters: map[string]any{"type": "object", "properties": map[string]any{}},
		}}},
		PreviousResponseID: openai.String("resp_previous"),
	})
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "Paris is the capital of France.", got.OutputText())

	gen := llmtest.Find(t, rec, "openai.responses")
	assert.Equal(t, "generation", gen.Type)
	assert.Equal(t, llmtest.Find(t, rec, "parent").ID, gen.ParentID)
	assert.Equal(t, "gpt-4.1-2025-04-14", gen.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `[{"role":"system","content":"Answer in one sentence."},{"role":"user","content":"What is the capital of France?"}]`, gen.Input)
	assert.JSONEq(t, `{"role":"assistant","content":"Paris is the capital of France.",
		"items":[{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Recall the capital."}]}]}`, gen.Output)
	assert.Equal(t, map[string]any{
		"temperature": 0.5, "max_output_tokens": 300.0, "reasoning_effort": "low", "tools": []any{"get_weather"},
	}, llmtest.ParamsOf(t, gen))
	assert.Equal(t, map[string]int{
		"input": 20, "input_cached_tokens": 16, "output": 23, "output_reasoning_tokens": 64, "total": 123,
	}, llmtest.UsageOf(t, gen))
	assert.Equal(t, "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", gen.Metadata["response_id"].String())
	assert.Equal(t, "completed", gen.Metadata["status"].String())
	assert.Equal(t, "resp_previous", gen.Metadata["previous_response_id"].String())
}

// responsesStream is a streamed Responses call that answers with text.
var responsesStream = []string{
	typed(`{"type":"response.created","sequence_number":0,"response":{"id":"resp_s1","object":"response","created_at":1741290958,"status":"in_progress","error":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}`),
	typed(`{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_s1","object":"response","created_at":1741290958,"status":"in_progress","error":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}`),
	typed(`{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_s1","type":"message","status":"in_progress","role":"assistant","content":[]}}`),
	typed(`{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_s1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}`),
	typed(`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_s1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}`),
	typed(`{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_s1","output_index":0,"content_index":0,"delta":" there!","logprobs":[]}`),
	typed(`{"type":"response.output_text.done","sequence_number":6,"item_id":"msg_s1","output_index":0,"content_index":0,"text":"Hi there!","logprobs":[]}`),
	typed(`{"type":"response.content_part.done","sequence_number":7,"item_id":"msg_s1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hi there!","annotations":[]}}`),
	typed(`{"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":{"id":"msg_s1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}}`),
	typed(`{"type":"response.completed","sequence_number":9,"response":{"id":"resp_s1","object":"response","created_at":1741290958,"status":"completed","error":null,"model":"gpt-4.1-2025-04-14","output":[{"id":"msg_s1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":48}}}`),
}

func TestResponsesStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/responses": llmtest.EventStream(responsesStream...)}))
	client := newClient(api, 0)

	stream := client.Responses.NewStreaming(ctx, responses.ResponseNewParams{
		Model: openai.ChatModelGPT4_1,
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfMessage("Say hi", responses.EasyInputMessageRoleUser),
		}},
	})
	var text string
	var events []string
	for stream.Next() {
		e := stream.Current()
		events = append(events, e.RawJSON())
		if e.Type == "response.output_text.delta" {
			text += e.Delta
		}
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())
	assert.Equal(t, "Hi there!", text)
	require.Len(t, events, len(responsesStream))
	for i, e := range events {
		assert.Equal(t, responsesStream[i], typed(e), "event %d reached the SDK unchanged", i)
	}

	gen := llmtest.Find(t, rec, "openai.responses")
	assert.Equal(t, "DEFAULT", levelOf(gen), gen.StatusMessage)
	assert.Equal(t, "gpt-4.1-2025-04-14", gen.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `[{"content":"Say hi","role":"user"}]`, gen.Input)
	assert.JSONEq(t, `{"role":"assistant","content":"Hi there!"}`, gen.Output)
	assert.Equal(t, map[string]int{"input": 37, "input_cached_tokens": 0, "output": 11, "output_reasoning_tokens": 0, "total": 48}, llmtest.UsageOf(t, gen))
	assert.Equal(t, "resp_s1", gen.Metadata["response_id"].String())
	completionStart(t, gen)
}

// functionCallStream is a streamed Responses call that calls a function.
var functionCallStream = []string{
	typed(`{"type":"response.created","sequence_number":0,"response":{"id":"resp_f1","object":"response","status":"in_progress","model":"gpt-4.1-2025-04-14","output":[]}}`),
	typed(`{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_w1","name":"get_weather","arguments":"","status":"in_progress"}}`),
	typed(`{"type":"response.function_call_arguments.delta","sequence_number":2,"item_id":"fc_1","output_index":0,"delta":"{\"city\":"}`),
	typed(`{"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_1","output_index":0,"delta":"\"Paris\"}"}`),
	typed(`{"type":"response.function_call_arguments.done","sequence_number":4,"item_id":"fc_1","output_index":0,"arguments":"{\"city\":\"Paris\"}"}`),
}

func TestResponsesStreamFunctionCall(t *testing.T) {
	t.Parallel()
	done := typed(`{"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_w1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}}`)
	completed := typed(`{"type":"response.completed","sequence_number":6,"response":{"id":"resp_f1","object":"response","status":"completed","model":"gpt-4.1-2025-04-14","output":[{"type":"function_call","id":"fc_1","call_id":"call_w1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}],"usage":{"input_tokens":50,"output_tokens":18,"total_tokens":68}}}`)
	for name, events := range map[string][]string{
		"completed": append(append([]string(nil), functionCallStream...), done, completed),
		// Without the final events the output is built from the deltas.
		"deltas only": functionCallStream,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/responses": llmtest.EventStream(events...)}))
			client := newClient(api, 0)
			stream := client.Responses.NewStreaming(ctx, responses.ResponseNewParams{
				Model: openai.ChatModelGPT4_1,
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Weather in Paris?")},
				Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "get_weather"}}},
			})
			for stream.Next() {
			}
			require.NoError(t, stream.Err())

			gen := llmtest.Find(t, rec, "openai.responses")
			assert.JSONEq(t, `{"role":"assistant","content":null,"tool_calls":[
				{"id":"call_w1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}`, gen.Output)
			assert.Equal(t, "Weather in Paris?", gen.Input, "a string input as it is")
			if name == "completed" {
				assert.Equal(t, map[string]int{"input": 50, "output": 18, "total": 68}, llmtest.UsageOf(t, gen))
			}
		})
	}
}

func TestResponsesStreamFailure(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		last    string
		message string
	}{
		"response.failed": {
			typed(`{"type":"response.failed","sequence_number":3,"response":{"id":"resp_x","object":"response","status":"failed","model":"gpt-4.1-2025-04-14","error":{"code":"server_error","message":"The model failed to generate a response."},"output":[],"usage":null}}`),
			"The model failed to generate a response.",
		},
		"error": {
			typed(`{"type":"error","sequence_number":3,"code":"rate_limit_exceeded","message":"Rate limit reached for gpt-4.1 in organization org-1.","param":null}`),
			"Rate limit reached for gpt-4.1 in organization org-1.",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/responses": llmtest.EventStream(responsesStream[0], responsesStream[2], responsesStream[4], tc.last)}))
			client := newClient(api, 0)
			stream := client.Responses.NewStreaming(ctx, responses.ResponseNewParams{
				Model: openai.ChatModelGPT4_1,
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hi")},
			})
			for stream.Next() {
			}
			_ = stream.Close()

			gen := llmtest.Find(t, rec, "openai.responses")
			assert.True(t, gen.Failed(), "level %s", gen.Level)
			assert.Equal(t, tc.message, gen.StatusMessage)
			assert.Contains(t, gen.Output, "Hi", "the text that arrived before the failure")
		})
	}
}

func responsesParams(input string) responses.ResponseNewParams {
	return responses.ResponseNewParams{
		Model: openai.ChatModelGPT4_1,
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(input)},
	}
}
