package langfuseopenai

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// maxRawText bounds the text of a body that is recorded as it is because
// it is not the JSON it should be.
const maxRawText = 4 << 10

// clip returns b as text for the record, cut to maxRawText bytes.
func clip(b []byte) string {
	if len(b) > maxRawText {
		b = b[:maxRawText]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
		return string(b) + "…"
	}
	return string(b)
}

// jsonString returns the string raw holds.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// lookup returns the field k of the JSON object raw; nil when raw is no
// object or has no such field.
func lookup(raw json.RawMessage, k string) json.RawMessage {
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m[k]
}

// compact returns raw without insignificant space, as text.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return clip(raw)
	}
	return b.String()
}

func withEntry(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = make(map[string]any, 4)
	}
	m[k] = v
	return m
}

// tokenCount is a token count as the usage of a response gives it; a
// value that is not a non-negative integer is taken as absent.
type tokenCount struct {
	n  int
	ok bool
}

func (c *tokenCount) UnmarshalJSON(b []byte) error {
	var n int
	if string(b) != "null" && json.Unmarshal(b, &n) == nil && n >= 0 {
		c.n, c.ok = n, true
	}
	return nil
}

// usage is the token usage of a Chat Completions response
// (prompt_tokens, ...) or of a Responses response (input_tokens, ...).
type usage struct {
	PromptTokens            tokenCount            `json:"prompt_tokens"`
	CompletionTokens        tokenCount            `json:"completion_tokens"`
	InputTokens             tokenCount            `json:"input_tokens"`
	OutputTokens            tokenCount            `json:"output_tokens"`
	TotalTokens             tokenCount            `json:"total_tokens"`
	PromptTokensDetails     map[string]tokenCount `json:"prompt_tokens_details"`
	CompletionTokensDetails map[string]tokenCount `json:"completion_tokens_details"`
	InputTokensDetails      map[string]tokenCount `json:"input_tokens_details"`
	OutputTokensDetails     map[string]tokenCount `json:"output_tokens_details"`
}

// details returns the usage in Langfuse's keys, as the Langfuse server
// turns OpenAI's usage objects into usage details: "input", "output" and
// "total", and each detail as "input_<name>" or "output_<name>"
// (input_cached_tokens, output_reasoning_tokens, ...), with the details
// taken out of "input" and "output" so that each token is priced once.
func (u *usage) details() map[string]int {
	if u == nil {
		return nil
	}
	m := make(map[string]int, 8)
	in, inDetails := u.PromptTokens, u.PromptTokensDetails
	if !in.ok {
		in = u.InputTokens
	}
	if len(inDetails) == 0 {
		inDetails = u.InputTokensDetails
	}
	out, outDetails := u.CompletionTokens, u.CompletionTokensDetails
	if !out.ok {
		out = u.OutputTokens
	}
	if len(outDetails) == 0 {
		outDetails = u.OutputTokensDetails
	}
	addSide(m, "input", in, inDetails)
	addSide(m, "output", out, outDetails)
	if u.TotalTokens.ok {
		m["total"] = u.TotalTokens.n
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func addSide(m map[string]int, side string, n tokenCount, details map[string]tokenCount) {
	rest := n.n
	for k, d := range details {
		if !d.ok {
			continue
		}
		m[side+"_"+k] = d.n
		rest -= d.n
	}
	if n.ok {
		m[side] = max(rest, 0)
	}
}

// apiError is the error object of the OpenAI API:
// {"error": {"message": ..., "type": ..., "code": ...}}.
type apiError struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
}

// errorText returns the message of an "error" field, which OpenAI sends
// as an object and some compatible servers as a plain string.
func errorText(raw json.RawMessage) string {
	if s, ok := jsonString(raw); ok {
		return s
	}
	var e apiError
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &e) != nil {
		return ""
	}
	if e.Message != "" {
		return e.Message
	}
	if code, ok := jsonString(e.Code); ok && code != "" {
		return code
	}
	return e.Type
}
