package langfusebedrock_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	langfusebedrock "github.com/observe-go/langfuse/integrations/bedrock"
)

// The static credentials of the tests: each is a secret that must reach
// no span.
const (
	accessKeyID     = "AKIATESTKEY0123456789"
	secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYsecretKEY0"
	sessionToken    = "IQoJb3JpZ2luX2VjTESTSESSIONtoken0123456789abcdef"
)

const haiku = "anthropic.claude-3-5-haiku-20241022-v1:0"

// newClient is a Bedrock Runtime client of url whose HTTP client goes
// through the transport, with static credentials holding a session
// token, and retries without waiting.
func newClient(url string, opts ...langfusebedrock.Option) *bedrockruntime.Client {
	return clientOf(url, langfusebedrock.NewTransport(nil, opts...))
}

// clientOf is newClient with rt as its HTTP client's transport.
func clientOf(url string, rt http.RoundTripper) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey,
				SessionToken: sessionToken, Source: "test"}, nil
		}),
		HTTPClient: &http.Client{Transport: rt},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = noLimit{}
		}),
	})
}

// noLimit lets every retry through: the tests retry more often than the
// SDK's token bucket allows.
type noLimit struct{}

func (noLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noLimit) AddTokens(uint) error { return nil }

func userMessage(text string) []types.Message {
	return []types.Message{{Role: types.ConversationRoleUser,
		Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: text}}}}
}

// esEvent is an event-stream message of an event of eventType.
type esEvent struct{ eventType, payload string }

// esException is an event-stream message of an exception.
type esException struct{ exceptionType, payload string }

// encodeMessages encodes each of ms as an event-stream message.
func encodeMessages(t testing.TB, ms ...any) [][]byte {
	t.Helper()
	enc := eventstream.NewEncoder()
	out := make([][]byte, 0, len(ms))
	for _, m := range ms {
		var msg eventstream.Message
		switch m := m.(type) {
		case esEvent:
			msg.Headers.Set(":message-type", eventstream.StringValue("event"))
			msg.Headers.Set(":event-type", eventstream.StringValue(m.eventType))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			msg.Payload = []byte(m.payload)
		case esException:
			msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
			msg.Headers.Set(":exception-type", eventstream.StringValue(m.exceptionType))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			msg.Payload = []byte(m.payload)
		default:
			t.Fatalf("not a message: %T", m)
		}
		var b bytes.Buffer
		if err := enc.Encode(&b, msg); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return out
}

// eventStream is a handler that answers with the messages, each written
// and flushed on its own.
func eventStream(t testing.TB, ms ...any) http.HandlerFunc {
	frames := encodeMessages(t, ms...)
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.WriteHeader(http.StatusOK)
		for _, f := range frames {
			_, _ = w.Write(f)
			w.(http.Flusher).Flush()
		}
	}
}

// chunk is an InvokeModelWithResponseStream chunk of an Anthropic event.
func chunk(event string) esEvent {
	return esEvent{"chunk", `{"bytes":"` + base64.StdEncoding.EncodeToString([]byte(event)) + `"}`}
}

// awsError is a handler that answers as Bedrock does with an error: the
// status, the type in X-Amzn-ErrorType, {"message"} in the body.
func awsError(status int, typ, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", typ+":http://internal.amazon.com/coral/com.amazon.bedrock/")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"message":"` + message + `"}`))
	}
}

const converseJSON = `{
  "output": {"message": {"role": "assistant", "content": [{"text": "Hello! How can I help?"}]}},
  "stopReason": "end_turn",
  "usage": {"inputTokens": 12, "outputTokens": 7, "totalTokens": 144, "cacheReadInputTokens": 100, "cacheWriteInputTokens": 25},
  "metrics": {"latencyMs": 321}
}`

const converseToolJSON = `{
  "output": {"message": {"role": "assistant", "content": [
    {"text": "Let me check."},
    {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "get_weather", "input": {"city": "Seattle"}}}
  ]}},
  "stopReason": "tool_use",
  "usage": {"inputTokens": 400, "outputTokens": 60, "totalTokens": 460},
  "metrics": {"latencyMs": 500}
}`

// converseStreamEvents are a streamed answer with text and a tool call.
func converseStreamEvents() []any {
	return []any{
		esEvent{"messageStart", `{"role":"assistant"}`},
		esEvent{"contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Let me "}}`},
		esEvent{"contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"check."}}`},
		esEvent{"contentBlockStop", `{"contentBlockIndex":0}`},
		esEvent{"contentBlockStart", `{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather"}}}`},
		esEvent{"contentBlockDelta", `{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}`},
		esEvent{"contentBlockDelta", `{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Seattle\"}"}}}`},
		esEvent{"contentBlockStop", `{"contentBlockIndex":1}`},
		esEvent{"messageStop", `{"stopReason":"tool_use"}`},
		esEvent{"metadata", `{"usage":{"inputTokens":400,"outputTokens":60,"totalTokens":470,"cacheReadInputTokens":10},"metrics":{"latencyMs":900}}`},
	}
}

const claudeJSON = `{
  "id": "msg_bdrk_01",
  "type": "message",
  "role": "assistant",
  "model": "claude-3-5-haiku-20241022",
  "content": [{"type": "text", "text": "Hi there!"}],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {"input_tokens": 10, "output_tokens": 4, "cache_read_input_tokens": 20, "cache_creation_input_tokens": 0}
}`

// claudeStreamEvents are a streamed Claude answer, as Bedrock wraps it.
func claudeStreamEvents() []any {
	return []any{
		chunk(`{"type":"message_start","message":{"id":"msg_bdrk_02","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"usage":{"input_tokens":15,"output_tokens":1}}}`),
		chunk(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
		chunk(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`),
		chunk(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" world"}}`),
		chunk(`{"type":"content_block_stop","index":0}`),
		chunk(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":8}}`),
		chunk(`{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":15,"outputTokenCount":8,"invocationLatency":400,"firstByteLatency":100}}`),
	}
}
