package langfuseollama

import (
	"strings"

	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// answer is the part of a chat or generate response, whole or one line of
// a stream, and of an embed response, that is recorded.
type answer struct {
	Model      string   `json:"model"`
	Message    *message `json:"message"`  // chat
	Response   string   `json:"response"` // generate
	Thinking   string   `json:"thinking"` // generate
	Done       bool     `json:"done"`
	DoneReason string   `json:"done_reason"`
	Error      *string  `json:"error"`
	metrics
	Embeddings json.RawMessage `json:"embeddings"` // embed
}

// message is a chat answer's message, or its piece in a line of a
// stream.
type message struct {
	Role      string            `json:"role"`
	Content   string            `json:"content"`
	Thinking  string            `json:"thinking"`
	ToolCalls []json.RawMessage `json:"tool_calls"`
}

// toolCalls returns the tool calls of a whole answer's message, nil when
// none.
func (m *message) toolCalls() any {
	if len(m.ToolCalls) == 0 {
		return nil
	}
	return m.ToolCalls
}

// metrics are the counts and timings an answer ends with; a count or
// duration the answer leaves out is nil. Durations are in nanoseconds.
type metrics struct {
	TotalDuration      *int64 `json:"total_duration"`
	LoadDuration       *int64 `json:"load_duration"`
	PromptEvalCount    *int64 `json:"prompt_eval_count"`
	PromptEvalDuration *int64 `json:"prompt_eval_duration"`
	EvalCount          *int64 `json:"eval_count"`
	EvalDuration       *int64 `json:"eval_duration"`
}

// usage returns the counts in Langfuse's usage keys, nil when there are
// none: "input" (prompt_eval_count), "output" (eval_count) and "total",
// their sum.
func (m *metrics) usage() map[string]int {
	u := make(map[string]int, 3)
	total := 0
	add := func(key string, v *int64) {
		if v != nil && *v >= 0 {
			u[key] = int(*v)
			total += int(*v)
		}
	}
	add("input", m.PromptEvalCount)
	add("output", m.EvalCount)
	if len(u) == 0 {
		return nil
	}
	u["total"] = total
	return u
}

// metadata returns why the answer stopped and its timings, in
// nanoseconds under Ollama's own names, nil when there are none.
func (m *metrics) metadata(doneReason string) map[string]any {
	md := make(map[string]any, 5)
	if doneReason != "" {
		md["done_reason"] = doneReason
	}
	add := func(key string, v *int64) {
		if v != nil {
			md[key] = *v
		}
	}
	add("total_duration", m.TotalDuration)
	add("load_duration", m.LoadDuration)
	add("prompt_eval_duration", m.PromptEvalDuration)
	add("eval_duration", m.EvalDuration)
	if len(md) == 0 {
		return nil
	}
	return md
}

// assistantMessage is the recorded output of a chat: the answer as a
// message.
type assistantMessage struct {
	Role      string `json:"role"`
	Content   string `json:"content"`
	Thinking  string `json:"thinking,omitempty"`
	ToolCalls any    `json:"tool_calls,omitempty"`
}

// generated is the recorded output of a generate call that also thought.
type generated struct {
	Response string `json:"response"`
	Thinking string `json:"thinking"`
}

// embeddingsSummary is the recorded output of an embed call: how many
// vectors of how many dimensions, not the vectors.
type embeddingsSummary struct {
	Embeddings int `json:"embeddings"`
	Dimensions int `json:"dimensions,omitempty"`
}

// Response reads a whole response: a chat's message, a generate call's
// text, or an embed call's vectors as their count and dimensions, with the
// model, usage, timings and an error the body reports.
func (provider) Response(op llmhttp.Operation, body []byte) llmhttp.Result {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return llmhttp.Result{Output: llmhttp.RawText(body)}
	}
	r := llmhttp.Result{Model: a.Model, Usage: a.usage(), Metadata: a.metadata(a.DoneReason), Ended: true}
	if a.Error != nil {
		r.Error = errorText(*a.Error)
	}
	switch op.Kind {
	case kindChat:
		if m := a.Message; m != nil {
			r.Output = chatOutput(m.Role, m.Content, m.Thinking, m.toolCalls())
		}
	case kindGenerate:
		r.Output = generateOutput(a.Response, a.Thinking)
	case kindEmbed:
		if a.Error == nil || a.Embeddings != nil {
			r.Output = embeddingsOutput(a.Embeddings)
		}
	}
	return r
}

func chatOutput(role, content, thinking string, calls any) any {
	if role == "" {
		role = "assistant"
	}
	return assistantMessage{Role: role, Content: content, Thinking: thinking, ToolCalls: calls}
}

func generateOutput(response, thinking string) any {
	if thinking == "" {
		return response
	}
	return generated{Response: response, Thinking: thinking}
}

// embeddingsOutput counts the vectors of an embed response and the
// dimensions of the first, without decoding them.
func embeddingsOutput(vectors json.RawMessage) embeddingsSummary {
	var s embeddingsSummary
	llmhttp.EachElement(vectors, func(v []byte) bool {
		if s.Embeddings == 0 {
			llmhttp.EachElement(v, func([]byte) bool { s.Dimensions++; return true })
		}
		s.Embeddings++
		return true
	})
	return s
}

// errorText is an error message as it is recorded (llmhttp.ErrorText),
// "error" when the server sent an empty one.
func errorText(s string) string {
	if strings.TrimSpace(s) == "" {
		return "error"
	}
	return llmhttp.ErrorText(s)
}

// ErrorMessage returns the message of an error response,
// {"error": "model \"x\" not found, try pulling it first"}, or the start
// of the body when it is not the API's JSON (a proxy's error page).
func (provider) ErrorMessage(_ int, body []byte) string {
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err == nil && e.Error != nil && strings.TrimSpace(*e.Error) != "" {
		return errorText(*e.Error)
	}
	if strings.TrimSpace(string(body)) == "" {
		return ""
	}
	return errorText(string(body))
}
