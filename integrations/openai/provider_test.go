package langfuseopenai

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

func opOf(t *testing.T, path string) llmhttp.Operation {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1"+path, nil)
	require.NoError(t, err)
	op, ok := provider{}.Operation(r)
	require.True(t, ok, path)
	return op
}

func TestUsageDetails(t *testing.T) {
	for name, tc := range map[string]struct {
		usage string
		want  map[string]int
	}{
		"chat": {`{"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":40,"audio_tokens":10},"completion_tokens_details":{"reasoning_tokens":20,"audio_tokens":0,"accepted_prediction_tokens":null}}`,
			map[string]int{"input": 50, "input_cached_tokens": 40, "input_audio_tokens": 10, "output": 30, "output_reasoning_tokens": 20, "output_audio_tokens": 0, "total": 150}},
		"responses": {`{"input_tokens":36,"input_tokens_details":{"cached_tokens":36},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}`,
			map[string]int{"input": 0, "input_cached_tokens": 36, "output": 87, "output_reasoning_tokens": 0, "total": 123}},
		"details above the count": {`{"prompt_tokens":5,"prompt_tokens_details":{"cached_tokens":9}}`,
			map[string]int{"input": 0, "input_cached_tokens": 9}},
		"not integers": {`{"prompt_tokens":-3,"completion_tokens":1.5,"total_tokens":"7","prompt_tokens_details":{"cached_tokens":-1}}`, nil},
		"no details":   {`{"prompt_tokens":3,"completion_tokens":4}`, map[string]int{"input": 3, "output": 4}},
	} {
		t.Run(name, func(t *testing.T) {
			var u usage
			require.NoError(t, json.Unmarshal([]byte(tc.usage), &u))
			assert.Equal(t, tc.want, u.details())
		})
	}
}

func TestErrorMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"error":{"message":"Bad key","type":"invalid_request_error","code":"invalid_api_key"}}`: "Bad key",
		`{"error":{"message":"","type":"server_error","code":"overloaded"}}`:                      "overloaded",
		`{"error":"model not found"}`:               "model not found",
		`{"message":"upstream timeout"}`:            "upstream timeout",
		`{"detail":"Not Found"}`:                    "Not Found",
		`Bad Gateway`:                               "Bad Gateway",
		`<html><body>502 Bad Gateway</body></html>`: "",
		``:             "",
		`{"error":{}}`: "",
	} {
		assert.Equal(t, want, provider{}.ErrorMessage(400, []byte(body)), body)
	}
}

func TestMalformedBodies(t *testing.T) {
	p := provider{}
	for _, path := range []string{"/v1/chat/completions", "/v1/responses", "/v1/embeddings"} {
		op := opOf(t, path)
		for _, body := range []string{``, `not json`, `{"choices":`, `[]`, `{"output":7,"usage":"x","data":{}}`, `null`} {
			req := p.Request(op, []byte(body))
			res := p.Response(op, []byte(body))
			s := p.Stream(op, nil)
			s.Event("", []byte(body))
			s.Event("message", []byte(body))
			_ = s.Result()
			if body == `not json` {
				assert.Equal(t, "not json", req.Input, path)
				assert.Equal(t, "not json", res.Output, path)
			}
		}
	}
}

func TestRequestParams(t *testing.T) {
	p := provider{}
	req := p.Request(opOf(t, "/v1/chat/completions"), []byte(`{
		"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},
		"logit_bias":{"50256":-100},"n":2,"stop":"END","user":"u-1","metadata":{"a":"b"},
		"response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{}}},
		"functions":[{"name":"legacy_fn"}],"function_call":{"name":"legacy_fn"},
		"tools":[{"type":"function","function":{"name":"a"}},{"type":"custom","custom":{"name":"b"}}],
		"tool_choice":"required","prediction":{"type":"content","content":"long text"},"frequency_penalty":null}`))
	assert.Equal(t, "gpt-4o", req.Model)
	assert.Equal(t, map[string]any{
		"logit_bias": `{"50256":-100}`, "n": 2.0, "stop": "END", "user": "u-1",
		"response_format": "json_schema", "functions": []string{"legacy_fn"}, "function_call": "legacy_fn",
		"tools": []string{"a", "b"}, "tool_choice": "required",
	}, req.Params)

	req = p.Request(opOf(t, "/v1/responses"), []byte(`{
		"model":"o4-mini","instructions":"Be brief.","input":[{"role":"user","content":"hi"}],
		"text":{"format":{"type":"json_schema","name":"x","schema":{}},"verbosity":"low"},
		"reasoning":{"effort":"high","summary":"auto"},"tools":[{"type":"web_search"},{"type":"function","name":"f"}],
		"tool_choice":{"type":"function","name":"f"},"prompt":{"id":"pmpt_1","version":"2"},"conversation":"conv_1"}`))
	assert.Equal(t, map[string]any{
		"response_format": "json_schema", "verbosity": "low", "reasoning_effort": "high", "reasoning_summary": "auto",
		"tools": []string{"web_search", "f"}, "tool_choice": "f",
	}, req.Params)
	assert.Equal(t, map[string]any{"prompt_id": "pmpt_1", "conversation": "conv_1"}, req.Metadata)
	assert.JSONEq(t, `[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]`, string(req.Input.(json.RawMessage)))

	for input, want := range map[string]string{
		`[]`:   `[{"role":"system","content":"I"}]`,
		`null`: `[{"role":"system","content":"I"}]`,
		`"hi"`: `[{"role":"system","content":"I"},{"role":"user","content":"hi"}]`,
	} {
		req := p.Request(opOf(t, "/v1/responses"), []byte(`{"instructions":"I","input":`+input+`}`))
		assert.JSONEq(t, want, string(req.Input.(json.RawMessage)), input)
	}
}

func TestResponsesIncomplete(t *testing.T) {
	res := provider{}.Response(opOf(t, "/v1/responses"), []byte(`{"id":"resp_1","status":"incomplete","model":"o4-mini",
		"incomplete_details":{"reason":"max_output_tokens"},"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Part"},{"type":"refusal","refusal":"No."}]}]}`))
	assert.Equal(t, "max_output_tokens", res.Metadata["incomplete_reason"])
	assert.Equal(t, "incomplete", res.Metadata["status"])
	b, err := json.Marshal(res.Output)
	require.NoError(t, err)
	assert.JSONEq(t, `{"role":"assistant","content":"Part","refusal":"No."}`, string(b))
}

func TestChatStreamSeveralChoices(t *testing.T) {
	s := provider{}.Stream(opOf(t, "/v1/chat/completions"), nil)
	s.Event("", []byte(`{"model":"m","choices":[{"index":1,"delta":{"role":"assistant","content":"B"}},{"index":0,"delta":{"role":"assistant","content":"A"}}]}`))
	s.Event("", []byte(`{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}`))
	assert.False(t, s.Result().Ended, "choice 1 has not finished")
	s.Event("", []byte(`{"choices":[{"index":1,"delta":{"content":"b"},"finish_reason":"length"}]}`))
	r := s.Result()
	assert.True(t, r.Ended)
	b, err := json.Marshal(r.Output)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"role":"assistant","content":"Bb"},{"role":"assistant","content":"Aa"}]`, string(b))
	assert.Equal(t, []string{"length", "stop"}, r.Metadata["finish_reason"])
}

func FuzzStreamEvents(f *testing.F) {
	f.Add("", `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":3,"function":{"arguments":"{"}}]}}]}`)
	f.Add("response.output_text.delta", `{"type":"response.output_text.delta","output_index":99999999,"delta":"x"}`)
	f.Add("response.completed", `{"type":"response.completed","response":{"output":[{"type":"function_call"}],"usage":{"input_tokens":1}}}`)
	f.Add("error", `{"type":"error","error":{"message":"m"}}`)
	f.Fuzz(func(t *testing.T, event, data string) {
		for _, path := range []string{"/v1/chat/completions", "/v1/responses"} {
			op := opOf(t, path)
			// Unbounded, and with a budget that the events spend, so that
			// the skim of what comes after it runs too.
			for _, keep := range []*llmhttp.Budget{nil, llmhttp.NewBudget(80)} {
				s := provider{}.Stream(op, keep)
				s.Event(event, []byte(data))
				s.Event(event, []byte(data))
				s.Event(event, []byte(data))
				r := s.Result()
				if r.Output != nil {
					_, err := json.Marshal(r.Output)
					require.NoError(t, err)
				}
			}
			_ = provider{}.Response(op, []byte(data))
			_ = provider{}.Request(op, []byte(data))
			_ = provider{}.ErrorMessage(500, []byte(data))
		}
	})
}

// TestCompatibleServers: shapes of OpenAI-compatible servers: reasoning
// text in reasoning_content (DeepSeek, vLLM) or reasoning (OpenRouter),
// usage in every chunk, the legacy function_call, several choices.
func TestCompatibleServers(t *testing.T) {
	s := provider{}.Stream(opOf(t, "/v1/chat/completions"), nil)
	s.Event("", []byte(`{"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Think"}}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`))
	s.Event("", []byte(`{"choices":[{"index":0,"delta":{"reasoning_content":"ing."}}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`))
	s.Event("", []byte(`{"choices":[{"index":0,"delta":{"function_call":{"name":"lookup","arguments":"{}"}},"finish_reason":"function_call"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}`))
	r := s.Result()
	assert.Equal(t, "deepseek-reasoner", r.Model)
	assert.Equal(t, map[string]int{"input": 5, "output": 3, "total": 8}, r.Usage, "the last usage")
	b, err := json.Marshal(r.Output)
	require.NoError(t, err)
	assert.JSONEq(t, `{"role":"assistant","content":null,"reasoning_content":"Thinking.","function_call":{"name":"lookup","arguments":"{}"}}`, string(b))
	assert.True(t, r.Ended)

	res := provider{}.Response(opOf(t, "/v1/chat/completions"), []byte(`{"id":"x","model":"llama3",
		"choices":[{"index":0,"message":{"role":"assistant","content":"A"},"finish_reason":"stop"},{"index":1,"message":{"role":"assistant","content":"B"},"finish_reason":"length"}]}`))
	b, err = json.Marshal(res.Output)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"role":"assistant","content":"A"},{"role":"assistant","content":"B"}]`, string(b))
	assert.Equal(t, []string{"stop", "length"}, res.Metadata["finish_reason"])
	assert.Nil(t, res.Usage)
}
