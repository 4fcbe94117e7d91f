package langfuseanthropic

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// recordedParams are the request fields recorded as model parameters, as
// the request wrote them. The messages and system prompt are the input;
// fields not listed here (mcp_servers, whose entries can hold an
// authorization token, among them) are not recorded.
var recordedParams = [...]string{
	"max_tokens",
	"temperature",
	"top_p",
	"top_k",
	"stop_sequences",
	"stream",
	"tools",
	"tool_choice",
	"thinking",
	"metadata",
	"service_tier",
	"output_config",
	"output_format",
	"context_management",
	"container",
	"inference_geo",
	"speed",
	"cache_control",
}

// Request reads a Messages request body: its model, the parameters listed
// in recordedParams, and the input, which is the messages array with the
// system prompt, when the request has one, put first as a message of role
// "system" (its content a string or text blocks, as the request gave it),
// the way chat inputs read in Langfuse.
func (provider) Request(_ llmhttp.Operation, body []byte) llmhttp.Request {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return llmhttp.Request{Input: rawText(body)}
	}
	var r llmhttp.Request
	if m, ok := fields["model"]; ok {
		_ = json.Unmarshal(m, &r.Model)
	}
	for _, k := range recordedParams {
		if v, ok := fields[k]; ok && !isNull(v) {
			if r.Params == nil {
				r.Params = make(map[string]any, 8)
			}
			r.Params[k] = v
		}
	}
	r.Input = input(fields["system"], fields["messages"])
	return r
}

// systemMessage is the system prompt as the first message of the input.
type systemMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// input returns the messages with the system prompt put first, or nil when
// the request has neither.
func input(system, messages json.RawMessage) any {
	hasSystem := len(system) > 0 && !isNull(system)
	if !hasSystem {
		if len(messages) == 0 || isNull(messages) {
			return nil
		}
		return messages
	}
	var list []json.RawMessage
	if len(messages) > 0 && !isNull(messages) {
		if err := json.Unmarshal(messages, &list); err != nil {
			// Not an array: keep both as they were sent.
			return map[string]json.RawMessage{"system": system, "messages": messages}
		}
	}
	out := make([]any, 0, len(list)+1)
	out = append(out, systemMessage{Role: "system", Content: system})
	for _, m := range list {
		out = append(out, m)
	}
	return out
}

func isNull(v json.RawMessage) bool {
	return string(v) == "null"
}

// maxRawText bounds the text of a body that is not the JSON it should be.
const maxRawText = 16 << 10

// rawText is a body that could not be read as JSON, as text, cut at
// maxRawText bytes. The copy keeps nothing of body.
func rawText(body []byte) string {
	if len(body) > maxRawText {
		return string(body[:maxRawText]) + "…[cut]"
	}
	return string(body)
}
