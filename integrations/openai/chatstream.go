package langfuseopenai

import (
	"encoding/json"

	gojson "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Stream returns a reader of a streamed response's events, which keeps
// what it accumulates within keep.
func (provider) Stream(op llmhttp.Operation, keep *llmhttp.Budget) llmhttp.Stream {
	if op.Kind == kindResponses {
		return &responsesStream{keep: keep}
	}
	return &chatStream{keep: keep}
}

// chatStream reads the chunks of a streamed Chat Completions call
// (data: {"choices":[{"delta":...}]} ... data: [DONE]) and accumulates
// each choice's text and tool calls within its budget. The usage comes in
// the last chunk when the request set stream_options.include_usage.
type chatStream struct {
	keep                   *llmhttp.Budget
	id, model, fingerprint string
	choices                llmhttp.Entries[chatChoice] // in the order they first appeared
	usage                  map[string]int
	errMsg                 string
	done                   bool // data: [DONE] arrived
	bad                    int  // chunks that were not the JSON they should be
}

type chatChoice struct {
	role                        string
	content, refusal, reasoning []byte
	hasContent                  bool
	toolCalls                   llmhttp.Entries[chatToolCall] // in the order they first appeared
	function                    *chatFunction                 // the legacy function_call
	finish                      string
}

type chatToolCall struct {
	id, typ    string
	name, args []byte
}

type chatFunction struct{ name, args []byte }

type chatChunk struct {
	ID                string `json:"id"`
	Model             string `json:"model"`
	SystemFingerprint string `json:"system_fingerprint"`
	Choices           []struct {
		Index int `json:"index"`
		Delta struct {
			Role             string  `json:"role"`
			Content          *string `json:"content"`
			Refusal          *string `json:"refusal"`
			ReasoningContent *string `json:"reasoning_content"`
			Reasoning        *string `json:"reasoning"`
			ToolCalls        []struct {
				Index    int    `json:"index"`
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
			FunctionCall *toolFunction `json:"function_call"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage          `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// Event reads one chunk. Chunks are decoded with go-json, which decodes
// a chunk in a third of the time encoding/json takes, with a third of the
// allocations: this runs once per token. Once the budget is spent, only
// the chunks that end or count the answer are decoded.
func (s *chatStream) Event(_ string, data []byte) {
	if string(data) == "[DONE]" {
		s.done = true
		return
	}
	if s.keep.Spent() && !chatChunkMatters(data) {
		return
	}
	var c chatChunk
	if err := gojson.Unmarshal(data, &c); err != nil {
		s.bad++
		return
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		if s.errMsg = errorText(c.Error); s.errMsg == "" {
			s.errMsg = "error event in the stream"
		}
	}
	if c.ID != "" {
		s.id = c.ID
	}
	if c.Model != "" {
		s.model = c.Model
	}
	if c.SystemFingerprint != "" {
		s.fingerprint = c.SystemFingerprint
	}
	if u := c.Usage.details(); u != nil {
		s.usage = u
	}
	for _, ch := range c.Choices {
		acc := s.choices.Get(s.keep, ch.Index)
		if acc == nil {
			continue
		}
		d := ch.Delta
		if d.Role != "" {
			acc.role = d.Role
		}
		if d.Content != nil {
			acc.content = s.keep.Append(acc.content, *d.Content)
			acc.hasContent = true
		}
		if d.Refusal != nil {
			acc.refusal = s.keep.Append(acc.refusal, *d.Refusal)
		}
		if d.ReasoningContent != nil {
			acc.reasoning = s.keep.Append(acc.reasoning, *d.ReasoningContent)
		} else if d.Reasoning != nil {
			acc.reasoning = s.keep.Append(acc.reasoning, *d.Reasoning)
		}
		for _, tc := range d.ToolCalls {
			call := acc.toolCalls.Get(s.keep, tc.Index)
			if call == nil {
				continue
			}
			if tc.ID != "" {
				call.id = tc.ID
			}
			if tc.Type != "" {
				call.typ = tc.Type
			}
			call.name = s.keep.Append(call.name, tc.Function.Name)
			call.args = s.keep.Append(call.args, tc.Function.Arguments)
		}
		if f := d.FunctionCall; f != nil {
			if acc.function == nil {
				acc.function = &chatFunction{}
			}
			acc.function.name = s.keep.Append(acc.function.name, f.Name)
			acc.function.args = s.keep.Append(acc.function.args, f.Arguments)
		}
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			acc.finish = *ch.FinishReason
		}
	}
}

// chatChunkMatters reports whether a chunk that comes after the budget is
// spent holds what ends or counts the answer (an error, the usage, a
// finish reason), which only a decode reads; a chunk it cannot skim, or
// whose keys it cannot match (llmhttp.KeyUnsure), may too. It allocates
// nothing.
func chatChunkMatters(data []byte) bool {
	matters := false
	ok := llmhttp.EachMember(data, func(k, v []byte) bool {
		switch {
		case llmhttp.KeyUnsure(k):
			matters = true
		case llmhttp.KeyIs(k, "error"), llmhttp.KeyIs(k, "usage"):
			matters = !llmhttp.IsNull(v)
		case llmhttp.KeyIs(k, "choices"):
			llmhttp.EachElement(v, func(c []byte) bool {
				f, _, unsure := llmhttp.Member(c, "finish_reason")
				matters = !llmhttp.IsNull(f) || unsure
				return !matters
			})
		}
		return !matters
	})
	return matters || !ok
}

func (c *chatChoice) message(keep *llmhttp.Budget) chatMessage {
	m := chatMessage{Role: c.role, Refusal: keep.Text(c.refusal), Reasoning: keep.Text(c.reasoning)}
	if m.Role == "" {
		m.Role = "assistant"
	}
	if c.hasContent {
		s := keep.Text(c.content)
		m.Content = &s
	}
	for _, t := range c.toolCalls.All() {
		typ := t.typ
		if typ == "" {
			typ = "function"
		}
		m.ToolCalls = append(m.ToolCalls, toolCall{ID: t.id, Type: typ,
			Function: toolFunction{Name: keep.Text(t.name), Arguments: keep.Text(t.args)}})
	}
	if f := c.function; f != nil {
		m.FunctionCall = &toolFunction{Name: keep.Text(f.name), Arguments: keep.Text(f.args)}
	}
	return m
}

func (s *chatStream) Result() llmhttp.Result {
	r := llmhttp.Result{Model: s.model, Usage: s.usage, Error: s.errMsg}
	choices := s.choices.All()
	reasons := make([]string, 0, len(choices))
	finished := len(choices) > 0
	for _, c := range choices {
		reasons = append(reasons, c.finish)
		finished = finished && c.finish != ""
	}
	switch len(choices) {
	case 0:
	case 1:
		r.Output = choices[0].message(s.keep)
	default:
		msgs := make([]chatMessage, 0, len(choices))
		for _, c := range choices {
			msgs = append(msgs, c.message(s.keep))
		}
		r.Output = msgs
	}
	r.Metadata = responseMetadata(s.id, reasons)
	if s.fingerprint != "" {
		r.Metadata = withEntry(r.Metadata, "system_fingerprint", s.fingerprint)
	}
	if s.bad > 0 {
		r.Metadata = withEntry(r.Metadata, "langfuse_unreadable_events", s.bad)
	}
	// Every choice finished is the end of the answer; the chunk with the
	// usage and [DONE] may follow.
	r.Ended = s.done || finished || s.errMsg != ""
	return r
}
