package langfuseopenai

import (
	"encoding/json"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Stream returns a reader of a streamed response's events.
func (provider) Stream(op llmhttp.Operation) llmhttp.Stream {
	if op.Kind == kindResponses {
		return &responsesStream{}
	}
	return &chatStream{}
}

// chatStream reads the chunks of a streamed Chat Completions call
// (data: {"choices":[{"delta":...}]} ... data: [DONE]) and accumulates
// each choice's text and tool calls. The usage comes in the last chunk
// when the request set stream_options.include_usage.
type chatStream struct {
	id, model, fingerprint string
	choices                []*chatChoice // in the order they first appeared
	usage                  map[string]int
	errMsg                 string
	done                   bool // data: [DONE] arrived
	bad                    int  // chunks that were not the JSON they should be
}

type chatChoice struct {
	index                       int
	role                        string
	content, refusal, reasoning strings.Builder
	hasContent                  bool
	toolCalls                   []*chatToolCall // in the order they first appeared
	function                    *toolFunction   // the legacy function_call
	finish                      string
}

type chatToolCall struct {
	index   int
	id, typ string
	name    string
	args    strings.Builder
}

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
// allocations: this runs once per token.
func (s *chatStream) Event(_ string, data []byte) {
	if string(data) == "[DONE]" {
		s.done = true
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
		acc := s.choice(ch.Index)
		d := ch.Delta
		if d.Role != "" {
			acc.role = d.Role
		}
		if d.Content != nil {
			acc.content.WriteString(*d.Content)
			acc.hasContent = true
		}
		if d.Refusal != nil {
			acc.refusal.WriteString(*d.Refusal)
		}
		if d.ReasoningContent != nil {
			acc.reasoning.WriteString(*d.ReasoningContent)
		} else if d.Reasoning != nil {
			acc.reasoning.WriteString(*d.Reasoning)
		}
		for _, tc := range d.ToolCalls {
			call := acc.toolCall(tc.Index)
			if tc.ID != "" {
				call.id = tc.ID
			}
			if tc.Type != "" {
				call.typ = tc.Type
			}
			call.name += tc.Function.Name
			call.args.WriteString(tc.Function.Arguments)
		}
		if f := d.FunctionCall; f != nil {
			if acc.function == nil {
				acc.function = &toolFunction{}
			}
			acc.function.Name += f.Name
			acc.function.Arguments += f.Arguments
		}
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			acc.finish = *ch.FinishReason
		}
	}
}

func (s *chatStream) choice(index int) *chatChoice {
	for _, c := range s.choices {
		if c.index == index {
			return c
		}
	}
	c := &chatChoice{index: index}
	s.choices = append(s.choices, c)
	return c
}

func (c *chatChoice) toolCall(index int) *chatToolCall {
	for _, t := range c.toolCalls {
		if t.index == index {
			return t
		}
	}
	t := &chatToolCall{index: index}
	c.toolCalls = append(c.toolCalls, t)
	return t
}

func (c *chatChoice) message() chatMessage {
	m := chatMessage{Role: c.role, Refusal: c.refusal.String(), Reasoning: c.reasoning.String()}
	if m.Role == "" {
		m.Role = "assistant"
	}
	if c.hasContent {
		s := c.content.String()
		m.Content = &s
	}
	for _, t := range c.toolCalls {
		typ := t.typ
		if typ == "" {
			typ = "function"
		}
		m.ToolCalls = append(m.ToolCalls, toolCall{ID: t.id, Type: typ,
			Function: toolFunction{Name: t.name, Arguments: t.args.String()}})
	}
	if c.function != nil {
		f := *c.function
		m.FunctionCall = &f
	}
	return m
}

func (s *chatStream) Result() llmhttp.Result {
	r := llmhttp.Result{Model: s.model, Usage: s.usage, Error: s.errMsg}
	reasons := make([]string, 0, len(s.choices))
	finished := len(s.choices) > 0
	for _, c := range s.choices {
		reasons = append(reasons, c.finish)
		finished = finished && c.finish != ""
	}
	switch len(s.choices) {
	case 0:
	case 1:
		r.Output = s.choices[0].message()
	default:
		msgs := make([]chatMessage, 0, len(s.choices))
		for _, c := range s.choices {
			msgs = append(msgs, c.message())
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
