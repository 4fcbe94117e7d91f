package claude

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Message is the part of a Messages response (and of a stream's
// message_start event) that is recorded.
type Message struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Model        string          `json:"model"`
	Role         string          `json:"role"`
	Content      json.RawMessage `json:"content"`
	StopReason   *string         `json:"stop_reason"`
	StopSequence *string         `json:"stop_sequence"`
	Usage        *Usage          `json:"usage"`
}

// Result is what the message records: the model that answered, the
// content as the output, the usage, and the id and why it stopped as the
// metadata.
func (m *Message) Result() llmhttp.Result {
	r := llmhttp.Result{Model: m.Model, Usage: m.Usage.Details(), Ended: true}
	if !llmhttp.IsNull(m.Content) {
		r.Output = llmhttp.Answer(m.Role, m.Content)
	}
	r.Metadata = Metadata(m.ID, m.StopReason, m.StopSequence)
	return r
}

// Usage is a message's token counts. A count the message leaves out is
// nil.
type Usage struct {
	InputTokens              *int64              `json:"input_tokens"`
	OutputTokens             *int64              `json:"output_tokens"`
	CacheCreationInputTokens *int64              `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64              `json:"cache_read_input_tokens"`
	OutputTokensDetails      *OutputTokenDetails `json:"output_tokens_details"`
}

// OutputTokenDetails tells the parts of the output tokens apart.
type OutputTokenDetails struct {
	ThinkingTokens *int64 `json:"thinking_tokens"`
}

// Merge takes the counts u reports over those of acc: every count in a
// stream's message_delta is a total for the whole message. A nil u
// changes nothing.
func (acc *Usage) Merge(u *Usage) {
	if u == nil {
		return
	}
	set := func(dst **int64, src *int64) {
		if src != nil {
			*dst = src
		}
	}
	set(&acc.InputTokens, u.InputTokens)
	set(&acc.OutputTokens, u.OutputTokens)
	set(&acc.CacheCreationInputTokens, u.CacheCreationInputTokens)
	set(&acc.CacheReadInputTokens, u.CacheReadInputTokens)
	if u.OutputTokensDetails != nil && u.OutputTokensDetails.ThinkingTokens != nil {
		acc.OutputTokensDetails = u.OutputTokensDetails
	}
}

// Details returns the counts in Langfuse's usage keys, nil when there are
// none (or u is nil). Negative counts are left out.
//
//	input                        input_tokens (Anthropic counts cached input apart)
//	output                       output_tokens (thinking included, as billed)
//	cache_read_input_tokens      cache_read_input_tokens
//	cache_creation_input_tokens  cache_creation_input_tokens
//	output_reasoning             output_tokens_details.thinking_tokens, a part of output
//	total                        input + output + cache_read + cache_creation
func (u *Usage) Details() map[string]int {
	if u == nil {
		return nil
	}
	d := make(map[string]int, 6)
	total, counted := 0, false
	add := func(key string, v *int64, inTotal bool) {
		if v == nil || *v < 0 {
			return
		}
		d[key] = int(*v)
		if inTotal {
			total += int(*v)
			counted = true
		}
	}
	add("input", u.InputTokens, true)
	add("output", u.OutputTokens, true)
	add("cache_read_input_tokens", u.CacheReadInputTokens, true)
	add("cache_creation_input_tokens", u.CacheCreationInputTokens, true)
	if u.OutputTokensDetails != nil {
		add("output_reasoning", u.OutputTokensDetails.ThinkingTokens, false)
	}
	if !counted {
		return nil
	}
	d["total"] = total
	return d
}

// Metadata returns the message id and why the answer stopped as the
// observation's metadata, nil when there is none of them.
func Metadata(id string, stopReason, stopSequence *string) map[string]any {
	md := make(map[string]any, 3)
	if id != "" {
		md["message_id"] = id
	}
	if stopReason != nil {
		md["stop_reason"] = *stopReason
	}
	if stopSequence != nil {
		md["stop_sequence"] = *stopSequence
	}
	if len(md) == 0 {
		return nil
	}
	return md
}

// APIError is the error object of an error response or of an error event
// in a stream: {"type":"overloaded_error","message":"Overloaded"}.
type APIError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// String is the error's type and message, "type: message", or whichever
// of them it has; "" for a nil error.
func (e *APIError) String() string {
	switch {
	case e == nil:
		return ""
	case e.Type != "" && e.Message != "":
		return e.Type + ": " + e.Message
	case e.Message != "":
		return e.Message
	default:
		return e.Type
	}
}
