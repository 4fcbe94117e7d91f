package langfusegenai

import (
	"bytes"
	"encoding/json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// generateResponse holds the fields of a GenerateContentResponse that are
// recorded. A stream sends one per event, a whole answer one in all.
type generateResponse struct {
	Candidates     []candidate     `json:"candidates"`
	PromptFeedback *promptFeedback `json:"promptFeedback"`
	UsageMetadata  *usageMetadata  `json:"usageMetadata"`
	ModelVersion   string          `json:"modelVersion"`
	ResponseID     string          `json:"responseId"`
	Error          *apiError       `json:"error"`
}

type candidate struct {
	Index   *int `json:"index"`
	Content struct {
		Role  string            `json:"role"`
		Parts []json.RawMessage `json:"parts"`
	} `json:"content"`
	FinishReason  string `json:"finishReason"`
	FinishMessage string `json:"finishMessage"`
}

type promptFeedback struct {
	BlockReason        string `json:"blockReason"`
	BlockReasonMessage string `json:"blockReasonMessage"`
}

// usageMetadata is the token count of a response. promptTokenCount
// includes cachedContentTokenCount; totalTokenCount is the sum of prompt,
// candidates, tool use prompt and thoughts tokens.
type usageMetadata struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CandidatesTokenCount    int `json:"candidatesTokenCount"`
	TotalTokenCount         int `json:"totalTokenCount"`
	CachedContentTokenCount int `json:"cachedContentTokenCount"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
	ToolUsePromptTokenCount int `json:"toolUsePromptTokenCount"`
}

// apiError is the error object of the Google APIs.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
}

func (e *apiError) String() string {
	switch {
	case e.Status != "" && e.Message != "":
		return e.Status + ": " + e.Message
	case e.Message != "":
		return e.Message
	case e.Status != "":
		return e.Status
	}
	return ""
}

// Response reads a whole response: one GenerateContentResponse, the JSON
// array of them that streamGenerateContent sends without alt=sse, or an
// embedding response.
func (provider) Response(op llmhttp.Operation, body []byte) llmhttp.Result {
	switch op.Kind {
	case kindEmbed, kindBatchEmbed:
		return embedResponse(body)
	}
	var acc accumulator
	trimmed := bytes.TrimSpace(body)
	complete := true
	if len(trimmed) > 0 && trimmed[0] == '[' {
		complete = addArray(&acc, trimmed)
	} else {
		acc.add(trimmed)
	}
	r := acc.result()
	if acc.bad > 0 && acc.chunks == acc.bad {
		r.Output = rawText(body)
	}
	if !complete {
		// closed before its end, or cut: what came is recorded
		r.Metadata = withEntry(r.Metadata, "incomplete_array", true)
	}
	return r
}

// addArray adds the responses of a JSON array to acc one by one, so that
// an array cut short still gives the responses before the cut. It
// reports whether the array was whole.
func addArray(acc *accumulator, data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the '['
		return false
	}
	for dec.More() {
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return false
		}
		acc.add(raw)
	}
	_, err := dec.Token() // the ']'
	return err == nil
}

func withEntry(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = make(map[string]any, 1)
	}
	m[k] = v
	return m
}

// Stream reads the server-sent events of streamGenerateContent?alt=sse:
// each event's data is a GenerateContentResponse. What it keeps comes out
// of keep.
func (provider) Stream(_ llmhttp.Operation, keep *llmhttp.Budget) llmhttp.Stream {
	return &stream{acc: accumulator{keep: keep}}
}

type stream struct{ acc accumulator }

func (s *stream) Event(_ string, data []byte) { s.acc.add(data) }
func (s *stream) Result() llmhttp.Result      { return s.acc.result() }

// ErrorMessage returns "STATUS: message" from the error object of a Google
// API error body, which a stream sends inside a JSON array.
func (provider) ErrorMessage(_ int, body []byte) string {
	body = bytes.TrimSpace(body)
	var e struct {
		Error *apiError `json:"error"`
	}
	if len(body) > 0 && body[0] == '[' {
		var list []json.RawMessage
		if decode(body, &list) != nil || len(list) == 0 {
			return ""
		}
		body = list[0]
	}
	if decode(body, &e) != nil || e.Error == nil {
		return ""
	}
	return e.Error.String()
}

// usage maps usageMetadata to Langfuse's usage keys, as Langfuse prices
// Gemini models: input is the prompt tokens not read from the cache, which
// are input_cached_tokens; output is the candidates' tokens and
// output_reasoning the thoughts' tokens, which Gemini counts apart from
// them; input_tool_use the tokens of tool use prompts.
func usage(u *usageMetadata) map[string]int {
	if u == nil {
		return nil
	}
	m := make(map[string]int, 6)
	put := func(k string, v int) {
		if v > 0 {
			m[k] = v
		}
	}
	put("input", max(0, u.PromptTokenCount-max(0, u.CachedContentTokenCount)))
	put("input_cached_tokens", u.CachedContentTokenCount)
	put("input_tool_use", u.ToolUsePromptTokenCount)
	put("output", u.CandidatesTokenCount)
	put("output_reasoning", u.ThoughtsTokenCount)
	put("total", u.TotalTokenCount)
	if len(m) == 0 {
		return nil
	}
	return m
}
