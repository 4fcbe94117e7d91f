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
		return llmhttp.Request{Input: llmhttp.RawText(body)}
	}
	var r llmhttp.Request
	if m, ok := fields["model"]; ok {
		_ = json.Unmarshal(m, &r.Model)
	}
	r.Params = llmhttp.Params(nil, fields, recordedParams[:]...)
	r.Input = llmhttp.SystemFirst(fields["system"], fields["messages"])
	return r
}
