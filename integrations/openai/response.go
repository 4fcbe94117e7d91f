package langfuseopenai

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Response reads a whole (not streamed) response body.
func (provider) Response(op llmhttp.Operation, body []byte) llmhttp.Result {
	switch op.Kind {
	case kindChat:
		return chatResult(body)
	case kindResponses:
		var r response
		if err := json.Unmarshal(body, &r); err != nil {
			return llmhttp.Result{Output: clip(body)}
		}
		return r.result()
	case kindEmbeddings:
		return embeddingsResult(body)
	}
	return llmhttp.Result{}
}

// ErrorMessage returns the message of an OpenAI error body
// ({"error": {"message": ...}}), of the shapes compatible servers use
// ({"error": "..."}, {"message": "..."}, {"detail": "..."}), or a short
// plain-text body as it is.
func (provider) ErrorMessage(_ int, body []byte) string {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		text := strings.TrimSpace(string(body))
		if text == "" || text[0] == '<' || len(text) > 512 || !utf8.ValidString(text) {
			return ""
		}
		return text
	}
	if msg := errorText(e.Error); msg != "" {
		return msg
	}
	if msg, ok := jsonString(e.Message); ok {
		return msg
	}
	if msg, ok := jsonString(e.Detail); ok {
		return msg
	}
	return ""
}

// chatMessage is an assistant message as Chat Completions writes it.
type chatMessage struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	Refusal   string     `json:"refusal,omitempty"`
	Reasoning string     `json:"reasoning_content,omitempty"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
	// FunctionCall is the legacy single function call.
	FunctionCall *toolFunction `json:"function_call,omitempty"`
}

type toolCall struct {
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type"`
	Function toolFunction `json:"function"`
}

type toolFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// chatResult reads a chat.completion object. The output is the message of
// the only choice, or the messages of all choices when there are several.
func chatResult(body []byte) llmhttp.Result {
	var c struct {
		ID                string `json:"id"`
		Model             string `json:"model"`
		SystemFingerprint string `json:"system_fingerprint"`
		ServiceTier       string `json:"service_tier"`
		Choices           []struct {
			Message      json.RawMessage `json:"message"`
			FinishReason string          `json:"finish_reason"`
		} `json:"choices"`
		Usage *usage          `json:"usage"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return llmhttp.Result{Output: clip(body)}
	}
	r := llmhttp.Result{Model: c.Model, Usage: c.Usage.details(), Error: errorText(c.Error)}
	reasons := make([]string, 0, len(c.Choices))
	switch len(c.Choices) {
	case 0:
	case 1:
		r.Output = c.Choices[0].Message
		reasons = append(reasons, c.Choices[0].FinishReason)
	default:
		msgs := make([]json.RawMessage, 0, len(c.Choices))
		for _, ch := range c.Choices {
			msgs = append(msgs, ch.Message)
			reasons = append(reasons, ch.FinishReason)
		}
		r.Output = msgs
	}
	r.Metadata = responseMetadata(c.ID, reasons)
	if c.SystemFingerprint != "" {
		r.Metadata = withEntry(r.Metadata, "system_fingerprint", c.SystemFingerprint)
	}
	if c.ServiceTier != "" {
		r.Metadata = withEntry(r.Metadata, "service_tier", c.ServiceTier)
	}
	return r
}

// responseMetadata records the response id and the finish reasons: one
// as a string, several as a list.
func responseMetadata(id string, reasons []string) map[string]any {
	var m map[string]any
	if id != "" {
		m = withEntry(m, "response_id", id)
	}
	switch {
	case len(reasons) == 1 && reasons[0] != "":
		m = withEntry(m, "finish_reason", reasons[0])
	case len(reasons) > 1:
		m = withEntry(m, "finish_reason", reasons)
	}
	return m
}

// embeddingsResult reads an embeddings list. The vectors are not
// recorded, only how many there are and their length.
func embeddingsResult(body []byte) llmhttp.Result {
	var e struct {
		Model string `json:"model"`
		Data  []struct {
			Embedding dimensions `json:"embedding"`
		} `json:"data"`
		Usage *struct {
			PromptTokens tokenCount `json:"prompt_tokens"`
			TotalTokens  tokenCount `json:"total_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return llmhttp.Result{Output: clip(body)}
	}
	out := map[string]int{"embeddings": len(e.Data)}
	if len(e.Data) > 0 {
		out["dimensions"] = int(e.Data[0].Embedding)
	}
	r := llmhttp.Result{Model: e.Model, Output: out}
	if u := e.Usage; u != nil {
		r.Usage = make(map[string]int, 2)
		if u.PromptTokens.ok {
			r.Usage["input"] = u.PromptTokens.n
		}
		if u.TotalTokens.ok {
			r.Usage["total"] = u.TotalTokens.n
		}
	}
	return r
}

// dimensions is the length of an embedding, counted without decoding its
// numbers: a JSON array of floats, or base64 of little-endian float32s.
type dimensions int

func (d *dimensions) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			if n, err := base64.StdEncoding.DecodeString(s); err == nil {
				*d = dimensions(len(n) / 4)
			}
		}
	case len(b) > 1 && b[0] == '[':
		if len(bytes.TrimSpace(b[1:len(b)-1])) == 0 {
			*d = 0
			return nil
		}
		*d = dimensions(bytes.Count(b, []byte(",")) + 1)
	}
	return nil
}
