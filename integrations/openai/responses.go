package langfuseopenai

import (
	"encoding/json"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// response is a Responses API response object, whole or as the events of
// a stream carry it.
type response struct {
	ID                string          `json:"id"`
	Model             string          `json:"model"`
	Status            string          `json:"status"`
	Output            []outputItem    `json:"output"`
	Usage             *usage          `json:"usage"`
	Error             json.RawMessage `json:"error"`
	IncompleteDetails *struct {
		Reason string `json:"reason"`
	} `json:"incomplete_details"`
}

// outputItem is one item of a response's output: a message, a function
// call, or another kind (reasoning, a built-in tool's call), kept as it is.
type outputItem struct {
	Type      string        `json:"type"`
	Role      string        `json:"role"`
	Content   []contentPart `json:"content"`
	CallID    string        `json:"call_id"`
	Name      string        `json:"name"`
	Arguments string        `json:"arguments"`
	raw       json.RawMessage
}

func (it *outputItem) UnmarshalJSON(b []byte) error {
	type plain outputItem
	if err := json.Unmarshal(b, (*plain)(it)); err != nil {
		return err
	}
	it.raw = append(json.RawMessage(nil), b...)
	return nil
}

type contentPart struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	Refusal string `json:"refusal"`
}

// responsesOutput is the output of a Responses call as an assistant
// message: the text of its message items, its function calls as tool
// calls, and its other items as they are.
type responsesOutput struct {
	Role      string            `json:"role"`
	Content   *string           `json:"content"`
	Refusal   string            `json:"refusal,omitempty"`
	ToolCalls []toolCall        `json:"tool_calls,omitempty"`
	Items     []json.RawMessage `json:"items,omitempty"`
}

func (r *response) result() llmhttp.Result {
	res := llmhttp.Result{
		Model:  r.Model,
		Output: outputOf(r.Output),
		Usage:  r.Usage.details(),
		Error:  errorText(r.Error),
	}
	if r.ID != "" {
		res.Metadata = withEntry(res.Metadata, "response_id", r.ID)
	}
	if r.Status != "" {
		res.Metadata = withEntry(res.Metadata, "status", r.Status)
	}
	if d := r.IncompleteDetails; d != nil && d.Reason != "" {
		res.Metadata = withEntry(res.Metadata, "incomplete_reason", d.Reason)
	}
	return res
}

func outputOf(items []outputItem) any {
	if len(items) == 0 {
		return nil
	}
	out := responsesOutput{Role: "assistant"}
	var text, refusal strings.Builder
	hasText := false
	for _, it := range items {
		switch it.Type {
		case "message":
			for _, c := range it.Content {
				switch c.Type {
				case "output_text":
					text.WriteString(c.Text)
					hasText = true
				case "refusal":
					refusal.WriteString(c.Refusal)
				}
			}
		case "function_call":
			out.ToolCalls = append(out.ToolCalls, toolCall{ID: it.CallID, Type: "function",
				Function: toolFunction{Name: it.Name, Arguments: it.Arguments}})
		default:
			if len(it.raw) > 0 {
				out.Items = append(out.Items, it.raw)
			}
		}
	}
	if hasText {
		s := text.String()
		out.Content = &s
	}
	out.Refusal = refusal.String()
	return out
}

// responsesStream reads the typed events of a streamed Responses call
// (response.created, response.output_text.delta, ...,
// response.completed). The response the final event carries is the
// record; until it arrives, the output is built from the deltas, within
// the stream's budget.
type responsesStream struct {
	keep      *llmhttp.Budget
	id, model string
	items     llmhttp.Blocks[streamItem] // by output_index
	final     *llmhttp.Result
	errMsg    string
	ended     bool
	bad       int // events that were not the JSON they should be
}

// streamItem is an output item being streamed.
type streamItem struct {
	typ, callID, name string
	text, refusal     []byte
	args              []byte
	hasText           bool
	done              *outputItem // the whole item, once output_item.done brings it
}

type responsesEvent struct {
	Type        string          `json:"type"`
	Response    *response       `json:"response"`
	OutputIndex int             `json:"output_index"`
	Item        *outputItem     `json:"item"`
	Delta       string          `json:"delta"`
	Message     string          `json:"message"`
	Error       json.RawMessage `json:"error"`
}

// finalEvents are the events that end a Responses stream.
var finalEvents = [...]string{"response.completed", "response.incomplete", "response.failed", "error"}

// responsesEventMatters reports whether an event that comes after the
// budget is spent can change the record: only the events that end the
// stream can, or an event whose type cannot be read without decoding. It
// allocates nothing.
func responsesEventMatters(event string, data []byte) bool {
	typ, ok, unsure := llmhttp.Member(data, "type")
	if unsure {
		return true
	}
	if !ok {
		for _, f := range finalEvents {
			if event == f {
				return true
			}
		}
		return false
	}
	if llmhttp.HasEscape(typ) {
		return true
	}
	for _, f := range finalEvents {
		if llmhttp.IsString(typ, f) {
			return true
		}
	}
	return false
}

func (s *responsesStream) Event(event string, data []byte) {
	if s.keep.Spent() && !responsesEventMatters(event, data) {
		return
	}
	var e responsesEvent
	if err := gojson.Unmarshal(data, &e); err != nil {
		s.bad++
		return
	}
	typ := e.Type
	if typ == "" {
		typ = event
	}
	if r := e.Response; r != nil {
		if r.ID != "" {
			s.id = r.ID
		}
		if r.Model != "" {
			s.model = r.Model
		}
	}
	switch typ {
	case "response.completed", "response.incomplete", "response.failed":
		if e.Response != nil {
			res := e.Response.result()
			if res.Output == nil {
				res.Output = s.accumulated()
			}
			if typ == "response.failed" && res.Error == "" {
				res.Error = "response failed"
			}
			s.final = &res
		}
		s.ended = true
	case "error":
		s.errMsg = e.Message
		if s.errMsg == "" {
			s.errMsg = errorText(e.Error)
		}
		if s.errMsg == "" {
			s.errMsg = "error event in the stream"
		}
		s.ended = true
	case "response.output_item.added", "response.output_item.done":
		if e.Item == nil {
			return
		}
		it := s.items.Get(s.keep, e.OutputIndex)
		if it == nil {
			return
		}
		it.typ, it.callID, it.name = e.Item.Type, e.Item.CallID, e.Item.Name
		if typ == "response.output_item.done" && s.keep.Take(len(e.Item.raw)) {
			it.done = e.Item
		}
	case "response.output_text.delta":
		if it := s.items.Get(s.keep, e.OutputIndex); it != nil {
			it.text = s.keep.Append(it.text, e.Delta)
			it.hasText = true
		}
	case "response.refusal.delta":
		if it := s.items.Get(s.keep, e.OutputIndex); it != nil {
			it.refusal = s.keep.Append(it.refusal, e.Delta)
		}
	case "response.function_call_arguments.delta":
		if it := s.items.Get(s.keep, e.OutputIndex); it != nil {
			it.args = s.keep.Append(it.args, e.Delta)
		}
	}
}

// accumulated is the output the deltas came to.
func (s *responsesStream) accumulated() any {
	all := s.items.All()
	items := make([]outputItem, 0, len(all))
	for _, it := range all {
		if it == nil {
			continue
		}
		if it.done != nil {
			items = append(items, *it.done)
			continue
		}
		o := outputItem{Type: it.typ, CallID: it.callID, Name: it.name, Arguments: s.keep.Text(it.args)}
		if o.Type == "" && (it.hasText || len(it.refusal) > 0) {
			o.Type = "message"
		}
		if it.hasText {
			o.Content = append(o.Content, contentPart{Type: "output_text", Text: s.keep.Text(it.text)})
		}
		if len(it.refusal) > 0 {
			o.Content = append(o.Content, contentPart{Type: "refusal", Refusal: s.keep.Text(it.refusal)})
		}
		if o.Type != "" {
			items = append(items, o)
		}
	}
	return outputOf(items)
}

func (s *responsesStream) Result() llmhttp.Result {
	var r llmhttp.Result
	if s.final != nil {
		r = *s.final
	} else {
		r = llmhttp.Result{Model: s.model, Output: s.accumulated()}
		if s.id != "" {
			r.Metadata = map[string]any{"response_id": s.id}
		}
	}
	if r.Model == "" {
		r.Model = s.model
	}
	if s.errMsg != "" {
		r.Error = s.errMsg
	}
	if s.bad > 0 {
		r.Metadata = withEntry(cloneMap(r.Metadata), "langfuse_unreadable_events", s.bad)
	}
	r.Ended = s.ended
	return r
}

func cloneMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}
