package langfuseanthropic

import (
	json "github.com/goccy/go-json"
	"strings"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// message is the part of a Messages response (and of a stream's
// message_start event) that is recorded.
type message struct {
	ID           string          `json:"id"`
	Model        string          `json:"model"`
	Role         string          `json:"role"`
	Content      json.RawMessage `json:"content"`
	StopReason   *string         `json:"stop_reason"`
	StopSequence *string         `json:"stop_sequence"`
	Usage        *usage          `json:"usage"`
}

// usage is a response's token counts. A count the response leaves out is
// nil.
type usage struct {
	InputTokens              *int64              `json:"input_tokens"`
	OutputTokens             *int64              `json:"output_tokens"`
	CacheCreationInputTokens *int64              `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64              `json:"cache_read_input_tokens"`
	OutputTokensDetails      *outputTokenDetails `json:"output_tokens_details"`
}

type outputTokenDetails struct {
	ThinkingTokens *int64 `json:"thinking_tokens"`
}

// merge takes the counts u reports over those of acc: every count in a
// stream's message_delta is a total for the whole message.
func (acc *usage) merge(u *usage) {
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

// details returns the counts in Langfuse's usage keys, nil when there are
// none:
//
//	input                        input_tokens (Anthropic counts cached input apart)
//	output                       output_tokens (thinking included, as billed)
//	cache_read_input_tokens      cache_read_input_tokens
//	cache_creation_input_tokens  cache_creation_input_tokens
//	output_reasoning             output_tokens_details.thinking_tokens, a part of output
//	total                        input + output + cache_read + cache_creation
func (u *usage) details() map[string]int {
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

// assistantMessage is the recorded output: the answer as a message.
type assistantMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// Response reads a whole Messages response.
func (provider) Response(_ llmhttp.Operation, body []byte) llmhttp.Result {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return llmhttp.Result{Output: rawText(body)}
	}
	r := llmhttp.Result{Model: m.Model, Usage: m.Usage.details(), Ended: true}
	if len(m.Content) > 0 && !isNull(m.Content) {
		role := m.Role
		if role == "" {
			role = "assistant"
		}
		r.Output = assistantMessage{Role: role, Content: m.Content}
	}
	r.Metadata = responseMetadata(m.ID, m.StopReason, m.StopSequence)
	return r
}

// responseMetadata returns the message id and why the answer stopped as
// the observation's metadata.
func responseMetadata(id string, stopReason, stopSequence *string) map[string]any {
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

// apiError is the error object of an error response or stream event.
type apiError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// errorBody is an error response: {"type":"error","error":{...}}.
type errorBody struct {
	Error *apiError `json:"error"`
}

func (e *apiError) String() string {
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

// maxErrorText bounds the text of an error body that is not the API's JSON.
const maxErrorText = 512

// ErrorMessage returns the type and message of an error response, such as
// "invalid_request_error: max_tokens: Field required", or the start of the
// body when it is not the API's JSON (a proxy's error page).
func (provider) ErrorMessage(_ int, body []byte) string {
	var e errorBody
	if err := json.Unmarshal(body, &e); err == nil {
		if s := e.Error.String(); s != "" {
			return s
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > maxErrorText {
		s = s[:maxErrorText] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
