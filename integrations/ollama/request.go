package langfuseollama

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// recordedParams are the request fields recorded as model parameters, as
// the request wrote them, beside each entry of "options" (temperature,
// num_ctx, num_predict, top_k, top_p, seed, stop, ...). The messages,
// prompt, system prompt, images and embedding input are the input; the
// fields not listed (template, context, the token ids of an earlier
// answer) are not recorded.
var recordedParams = [...]string{
	"stream",
	"format",
	"keep_alive",
	"think",
	"tools",
	"raw",
	"suffix",
	"truncate",
	"shift",
	"dimensions",
	"logprobs",
	"top_logprobs",
}

// chatMessage is a message of the recorded input.
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Images  json.RawMessage `json:"images,omitempty"`
}

// Request reads the body of a chat, generate or embed request: its model,
// its parameters, and its input: the messages of a chat, the prompt of a
// generate call (with its system prompt and images, as messages, when it
// has them), the input of an embed call.
func (provider) Request(op llmhttp.Operation, body []byte) llmhttp.Request {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return llmhttp.Request{Input: llmhttp.RawText(body)}
	}
	var r llmhttp.Request
	if m, ok := fields["model"]; ok {
		_ = json.Unmarshal(m, &r.Model)
	}
	r.Params = params(fields)
	switch op.Kind {
	case kindChat:
		r.Input = present(fields["messages"])
	case kindGenerate:
		r.Input = prompt(fields)
	case kindEmbed:
		r.Input = present(fields["input"])
	}
	return r
}

// params returns the model parameters of a request, nil when it sets
// none.
func params(fields map[string]json.RawMessage) map[string]any {
	p := llmhttp.Params(nil, fields, recordedParams[:]...)
	if o, ok := fields["options"]; ok && !llmhttp.IsNull(o) {
		var options map[string]json.RawMessage
		if err := json.Unmarshal(o, &options); err != nil {
			p = llmhttp.Param(p, "options", o)
		}
		for k, v := range options {
			p = llmhttp.Param(p, k, v)
		}
	}
	return p
}

// prompt is the input of a generate call: the prompt as it was sent, or,
// when the call has a system prompt or images, the system prompt and the
// prompt as a system and a user message.
func prompt(fields map[string]json.RawMessage) any {
	p, system, images := present(fields["prompt"]), present(fields["system"]), present(fields["images"])
	if system == nil && images == nil {
		if p == nil {
			return nil
		}
		return p
	}
	msgs := make([]chatMessage, 0, 2)
	if system != nil {
		msgs = append(msgs, chatMessage{Role: "system", Content: fields["system"]})
	}
	user := chatMessage{Role: "user", Content: fields["prompt"], Images: fields["images"]}
	if p == nil {
		user.Content = json.RawMessage(`""`)
	}
	if images == nil {
		user.Images = nil
	}
	return append(msgs, user)
}

// present returns v, or nil when it is absent, null or an empty string.
func present(v json.RawMessage) any {
	if llmhttp.IsNull(v) || string(v) == `""` {
		return nil
	}
	return v
}
