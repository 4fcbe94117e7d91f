package langfuseanthropic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/require"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
)

// apiKey is the key the tests' clients send; no recorded attribute may
// hold it.
const apiKey = "sk-ant-test-secret-0123456789"

// sseEvent is one server-sent event of a fake stream.
type sseEvent struct{ name, data string }

// encodeSSE renders events as the API sends them.
func encodeSSE(events []sseEvent) string {
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", e.name, e.data)
	}
	return b.String()
}

// Fixtures after the API reference's examples of the Messages API.
const (
	textMessageJSON = `{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-6-20260115","content":[{"type":"text","text":"Hello! How can I help you today?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":9,"service_tier":"standard"}}`

	toolMessageJSON = `{"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-6-20260115","content":[{"type":"text","text":"I'll check the weather."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":384,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":96}}`
)

func messageStart(id string, input int) sseEvent {
	return sseEvent{"message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":%q,"type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6-20260115","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":%d,"cache_creation_input_tokens":0,"cache_read_input_tokens":40,"output_tokens":1}}}`, id, input)}
}

func textDelta(i int, text string) sseEvent {
	b, _ := json.Marshal(text)
	return sseEvent{"content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"text_delta","text":%s}}`, i, b)}
}

func blockStart(i int, block string) sseEvent {
	return sseEvent{"content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":%s}`, i, block)}
}

func blockStop(i int) sseEvent {
	return sseEvent{"content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, i)}
}

func messageDelta(stop string, output int) sseEvent {
	return sseEvent{"message_delta", fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":%q,"stop_sequence":null},"usage":{"output_tokens":%d}}`, stop, output)}
}

var messageStop = sseEvent{"message_stop", `{"type":"message_stop"}`}

// textStream answers "Hello!" in pieces.
func textStream(id string) []sseEvent {
	return []sseEvent{
		messageStart(id, 25),
		blockStart(0, `{"type":"text","text":""}`),
		{"ping", `{"type": "ping"}`},
		textDelta(0, "Hel"),
		textDelta(0, "lo"),
		textDelta(0, "!"),
		blockStop(0),
		messageDelta("end_turn", 15),
		messageStop,
	}
}

// toolStream thinks, says a word and calls a tool whose arguments arrive
// in pieces.
func toolStream() []sseEvent {
	return []sseEvent{
		messageStart("msg_tool_stream", 472),
		blockStart(0, `{"type":"thinking","thinking":"","signature":""}`),
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants "}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"the weather."}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}}`},
		blockStop(0),
		blockStart(1, `{"type":"text","text":""}`),
		textDelta(1, "Let me check."),
		blockStop(1),
		blockStart(2, `{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}`),
		{"content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\", \"unit\": \"fahrenheit\"}"}}`},
		blockStop(2),
		{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89,"output_tokens_details":{"thinking_tokens":20}}}`},
		messageStop,
	}
}

func jsonAnswer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func sseAnswer(events []sseEvent) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		fl := w.(http.Flusher)
		for _, e := range events {
			_, _ = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, e.data)
			fl.Flush()
		}
	}
}

// newClient is an SDK client of the fake API with the transport, its
// environment defaults off so that no ANTHROPIC_* variable of the machine
// changes the tests, and no retries.
func newClient(url string, opts ...langfuseanthropic.Option) anthropic.Client {
	return newClientWith(url, langfuseanthropic.NewTransport(nil, opts...), option.WithMaxRetries(0))
}

func newClientWith(url string, rt http.RoundTripper, extra ...option.RequestOption) anthropic.Client {
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(url),
		option.WithAPIKey(apiKey),
		option.WithHTTPClient(&http.Client{Transport: rt}),
	}
	return anthropic.NewClient(append(opts, extra...)...)
}

// weatherTool is a tool definition as the SDK's documentation writes one.
func weatherTool() anthropic.ToolUnionParam {
	return anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{
		Name:        "get_weather",
		Description: anthropic.String("Get the current weather in a given location"),
		InputSchema: anthropic.ToolInputSchemaParam{
			Properties: map[string]any{
				"location": map[string]any{"type": "string"},
				"unit":     map[string]any{"type": "string", "enum": []string{"celsius", "fahrenheit"}},
			},
			Required: []string{"location"},
		},
	}}
}

func userParams(text string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_6,
		MaxTokens: 1024,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(text))},
	}
}

// postMessages posts body to the Messages endpoint of url through the
// transport with a plain HTTP client and returns the response body.
func postMessages(t testing.TB, ctx context.Context, url, body string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/messages", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("x-api-key", apiKey)
	req.Header.Set("content-type", "application/json")
	resp, err := (&http.Client{Transport: langfuseanthropic.NewTransport(nil)}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
