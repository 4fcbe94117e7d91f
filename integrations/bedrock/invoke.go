package langfusebedrock

import (
	"encoding/base64"

	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/claude"
	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// claudeParams are the fields of an Anthropic Messages body (InvokeModel
// of a Claude model) recorded as model parameters.
var claudeParams = [...]string{
	"anthropic_version", "anthropic_beta", "max_tokens", "temperature", "top_p", "top_k",
	"stop_sequences", "tools", "tool_choice", "thinking",
}

// invokeRequest reads an InvokeModel body. A body with "messages" is read
// as Anthropic Messages JSON: the parameters of claudeParams, and the
// messages with the system prompt put first as the input. Any other JSON
// body (another model family's) is recorded whole as the input.
func invokeRequest(body []byte) llmhttp.Request {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return llmhttp.Request{Input: llmhttp.RawText(body)}
	}
	if _, ok := fields["messages"]; !ok {
		return llmhttp.Request{Input: json.RawMessage(append([]byte(nil), body...))}
	}
	return llmhttp.Request{
		Params: llmhttp.Params(nil, fields, claudeParams[:]...),
		Input:  llmhttp.SystemFirst(fields["system"], fields["messages"]),
	}
}

// invokeResponse reads a whole InvokeModel answer: an Anthropic message
// for Claude, any other JSON recorded whole as the output.
func invokeResponse(body []byte) llmhttp.Result {
	var m claude.Message
	if err := json.Unmarshal(body, &m); err != nil {
		return llmhttp.Result{Output: llmhttp.RawText(body)}
	}
	if m.Type != "message" && llmhttp.IsNull(m.Content) {
		return llmhttp.Result{Output: json.RawMessage(append([]byte(nil), body...)), Ended: true}
	}
	return m.Result()
}

// invokeStream reads an InvokeModelWithResponseStream answer: "chunk"
// events whose payload's "bytes" are the base64 of the model's own event,
// an Anthropic Messages stream event for Claude.
type invokeStream struct {
	claude  *claude.Stream
	decoded []byte // the current chunk's event, decoded into afresh
}

type chunkPayload struct {
	Bytes string `json:"bytes"`
}

// Event takes one event of the stream: a chunk, or an exception.
func (s *invokeStream) Event(event string, data []byte) {
	if typ, ok := streamError(event); ok {
		s.claude.Fail(exceptionMessage(typ, data))
		return
	}
	if event != "chunk" {
		return
	}
	var c chunkPayload
	if json.Unmarshal(data, &c) != nil {
		return
	}
	n := base64.StdEncoding.DecodedLen(len(c.Bytes))
	if cap(s.decoded) < n {
		s.decoded = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(s.decoded[:n], []byte(c.Bytes))
	if err != nil {
		return
	}
	// The chunk's event names itself in its "type", as over SSE.
	s.claude.Event("", s.decoded[:n])
}

func (s *invokeStream) Result() llmhttp.Result { return s.claude.Result() }
