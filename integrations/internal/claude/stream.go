package claude

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Stream accumulates the events of one streamed Messages answer into the
// message they make, as the SDK's Message.Accumulate does, within its
// budget. It is an llmhttp.Stream, used by one goroutine at a time.
type Stream struct {
	keep            *llmhttp.Budget
	id, model, role string
	usage           Usage
	hasUsage        bool
	stopReason      *string
	stopSequence    *string
	blocks          llmhttp.Blocks[block]
	err             string
	ended           bool
	ev              streamEvent // decoded into afresh for each event
}

// NewStream returns a reader of one streamed answer that keeps what it
// accumulates within keep (nil: no bound).
func NewStream(keep *llmhttp.Budget) *Stream {
	return &Stream{keep: keep}
}

// block is one content block: its content_block_start fields with the
// deltas that followed.
type block struct {
	start     map[string]json.RawMessage
	text      []byte // text_delta
	thinking  []byte // thinking_delta
	signature []byte // signature_delta
	input     []byte // input_json_delta: a tool call's arguments, in pieces
	hasInput  bool
	citations []json.RawMessage // citations_delta
}

type streamEvent struct {
	Type         string          `json:"type"`
	Index        int             `json:"index"` // -1 when absent
	Message      *Message        `json:"message"`
	ContentBlock json.RawMessage `json:"content_block"`
	Delta        streamDelta     `json:"delta"`
	Usage        *Usage          `json:"usage"`
	Error        *APIError       `json:"error"`
}

type streamDelta struct {
	Type         string          `json:"type"`
	Text         string          `json:"text"`
	PartialJSON  string          `json:"partial_json"`
	Thinking     string          `json:"thinking"`
	Signature    string          `json:"signature"`
	Citation     json.RawMessage `json:"citation"`
	StopReason   *string         `json:"stop_reason"`
	StopSequence *string         `json:"stop_sequence"`
}

// Event takes one event. The data's "type" names the event; event (the
// SSE event field; "" when the framing has none) stands in when the data
// has none. Data that is not JSON, and events this reader does not know,
// are passed over.
func (s *Stream) Event(event string, data []byte) {
	if s.keep.Spent() && !eventMatters(event, data) {
		return
	}
	s.ev = streamEvent{Index: -1}
	ev := &s.ev
	if err := json.Unmarshal(data, ev); err != nil {
		if event == "error" {
			s.err = "error event: " + llmhttp.RawText(data)
		}
		return
	}
	if ev.Type == "" {
		ev.Type = event
	}
	switch ev.Type {
	case "message_start":
		if m := ev.Message; m != nil {
			s.id, s.model, s.role = m.ID, m.Model, m.Role
			s.addUsage(m.Usage)
		}
	case "content_block_start":
		if b := s.blocks.Start(s.keep, ev.Index); b != nil && s.keep.Take(len(ev.ContentBlock)) {
			_ = json.Unmarshal(ev.ContentBlock, &b.start)
		}
	case "content_block_delta":
		if b := s.blocks.At(ev.Index); b != nil {
			s.delta(b, &ev.Delta)
		}
	case "message_delta":
		s.stopReason, s.stopSequence = ev.Delta.StopReason, ev.Delta.StopSequence
		s.addUsage(ev.Usage)
	case "message_stop":
		s.ended = true
	case "error":
		s.err = ev.Error.String()
		if s.err == "" {
			s.err = "error event: " + llmhttp.RawText(data)
		}
	}
}

// Fail records msg as the stream's error: one the framing reports beside
// the Messages events (an exception of Bedrock's event stream).
func (s *Stream) Fail(msg string) { s.err = msg }

func (s *Stream) addUsage(u *Usage) {
	if u != nil {
		s.usage.Merge(u)
		s.hasUsage = true
	}
}

// eventMatters reports whether an event that comes after the budget is
// spent can change the record: every event can but the deltas of content
// blocks, which would add to what is no longer kept, and pings. The
// data's type names the event, the event field when it has none. It
// allocates nothing.
func eventMatters(event string, data []byte) bool {
	typ, ok, unsure := llmhttp.Member(data, "type")
	if unsure {
		return true
	}
	if ok {
		return !llmhttp.IsString(typ, "content_block_delta") && !llmhttp.IsString(typ, "ping")
	}
	return event != "content_block_delta" && event != "ping"
}

func (s *Stream) delta(b *block, d *streamDelta) {
	var dst *[]byte
	var piece string
	switch d.Type {
	case "text_delta":
		dst, piece = &b.text, d.Text
	case "thinking_delta":
		dst, piece = &b.thinking, d.Thinking
	case "signature_delta":
		dst, piece = &b.signature, d.Signature
	case "input_json_delta":
		dst, piece = &b.input, d.PartialJSON
		b.hasInput = b.hasInput || piece != ""
	case "citations_delta":
		if len(d.Citation) > 0 && s.keep.Take(len(d.Citation)) {
			b.citations = append(b.citations, d.Citation)
		}
		return
	default:
		return
	}
	*dst = s.keep.Append(*dst, piece)
}

// Result is the message the events came to.
func (s *Stream) Result() llmhttp.Result {
	r := llmhttp.Result{Model: s.model, Error: s.err, Ended: s.ended}
	if s.hasUsage {
		r.Usage = s.usage.Details()
	}
	if content := s.content(); content != nil {
		r.Output = llmhttp.Answer(s.role, content)
	}
	r.Metadata = Metadata(s.id, s.stopReason, s.stopSequence)
	return r
}

// content renders the blocks as the response's content array would hold
// them.
func (s *Stream) content() []map[string]any { return s.blocks.Content(s.render) }

// render is b as the response's content array would hold it: its start
// fields with the accumulated text, thinking, signature, tool input and
// citations put in.
func (s *Stream) render(b *block) map[string]any {
	m := make(map[string]any, len(b.start)+1)
	for k, v := range b.start {
		m[k] = v
	}
	if len(b.text) > 0 {
		m["text"] = s.keep.Text(b.text)
	}
	if len(b.thinking) > 0 {
		m["thinking"] = s.keep.Text(b.thinking)
	}
	if len(b.signature) > 0 {
		m["signature"] = s.keep.Text(b.signature)
	}
	if b.hasInput {
		m["input"] = llmhttp.ToolInput(s.keep.Text(b.input))
	}
	if len(b.citations) > 0 {
		m["citations"] = b.citations
	}
	return m
}
