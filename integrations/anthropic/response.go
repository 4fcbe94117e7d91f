package langfuseanthropic

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/claude"
	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Stream returns a reader of one streamed Messages response, which keeps
// what it accumulates within keep.
func (provider) Stream(_ llmhttp.Operation, keep *llmhttp.Budget) llmhttp.Stream {
	return claude.NewStream(keep)
}

// Response reads a whole Messages response.
func (provider) Response(_ llmhttp.Operation, body []byte) llmhttp.Result {
	var m claude.Message
	if err := json.Unmarshal(body, &m); err != nil {
		return llmhttp.Result{Output: llmhttp.RawText(body)}
	}
	return m.Result()
}

// errorBody is an error response: {"type":"error","error":{...}}.
type errorBody struct {
	Error *claude.APIError `json:"error"`
}

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
	return llmhttp.ErrorText(string(body))
}
