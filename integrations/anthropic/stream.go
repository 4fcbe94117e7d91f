package langfuseanthropic

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Bounds on what a stream keeps for the record. The SDK gets every event
// whatever these say.
const (
	// maxStreamText is how many bytes of text, thinking and tool input a
	// stream accumulates; past it the output is recorded cut short.
	maxStreamText = 16 << 20
	// maxBlockGap is how far past the last content block a block index
	// may point; an event further out is ignored rather than allocated for.
	maxBlockGap = 64
)

// Stream returns a reader of one streamed Messages response.
func (provider) Stream(llmhttp.Operation) llmhttp.Stream {
	return &stream{}
}

// stream accumulates the events of one streamed Messages response into the
// message they make, as the SDK's Message.Accumulate does.
type stream struct {
	id, model, role string
	usage           usage
	hasUsage        bool
	stopReason      *string
	stopSequence    *string
	blocks          []*block
	size            int // bytes of text accumulated in blocks
	cut             bool
	err             string
	ended           bool
	ev              streamEvent // decoded into afresh for each event
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
	Message      *message        `json:"message"`
	ContentBlock json.RawMessage `json:"content_block"`
	Delta        streamDelta     `json:"delta"`
	Usage        *usage          `json:"usage"`
	Error        *apiError       `json:"error"`
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

// Event takes one server-sent event. The data's "type" names the event;
// the SSE event field stands in when the data has none. Data that is not
// JSON, and events this reader does not know, are passed over.
func (s *stream) Event(event string, data []byte) {
	s.ev = streamEvent{Index: -1}
	ev := &s.ev
	if err := json.Unmarshal(data, ev); err != nil {
		if event == "error" {
			s.err = "error event: " + rawText(data)
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
		if b := s.block(ev.Index, true); b != nil {
			_ = json.Unmarshal(ev.ContentBlock, &b.start)
		}
	case "content_block_delta":
		if b := s.block(ev.Index, false); b != nil {
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
			s.err = "error event: " + rawText(data)
		}
	}
}

func (s *stream) addUsage(u *usage) {
	if u != nil {
		s.usage.merge(u)
		s.hasUsage = true
	}
}

// block returns the block at index i, made when start says a block
// starts there; nil for an index out of reach.
func (s *stream) block(i int, start bool) *block {
	if i < 0 || i >= len(s.blocks)+maxBlockGap {
		return nil
	}
	for i >= len(s.blocks) {
		if !start {
			return nil
		}
		s.blocks = append(s.blocks, nil)
	}
	if s.blocks[i] == nil || start {
		s.blocks[i] = &block{}
	}
	return s.blocks[i]
}

func (s *stream) delta(b *block, d *streamDelta) {
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
		if len(d.Citation) > 0 && s.size+len(d.Citation) <= maxStreamText {
			s.size += len(d.Citation)
			b.citations = append(b.citations, d.Citation)
		}
		return
	default:
		return
	}
	if s.size+len(piece) > maxStreamText {
		s.cut = true
		return
	}
	s.size += len(piece)
	*dst = append(*dst, piece...)
}

// Result is the message the events came to.
func (s *stream) Result() llmhttp.Result {
	r := llmhttp.Result{Model: s.model, Error: s.err, Ended: s.ended}
	if s.hasUsage {
		r.Usage = s.usage.details()
	}
	if content := s.content(); content != nil {
		role := s.role
		if role == "" {
			role = "assistant"
		}
		r.Output = assistantMessage{Role: role, Content: content}
	}
	r.Metadata = responseMetadata(s.id, s.stopReason, s.stopSequence)
	if s.cut {
		if r.Metadata == nil {
			r.Metadata = make(map[string]any, 1)
		}
		r.Metadata["langfuse_output_cut"] = maxStreamText
	}
	return r
}

// content renders the blocks as the response's content array would hold
// them: each block's start fields with the accumulated text, thinking,
// signature, tool input and citations put in.
func (s *stream) content() []map[string]any {
	if len(s.blocks) == 0 {
		return nil
	}
	out := make([]map[string]any, 0, len(s.blocks))
	for _, b := range s.blocks {
		if b == nil {
			continue
		}
		m := make(map[string]any, len(b.start)+1)
		for k, v := range b.start {
			m[k] = v
		}
		if len(b.text) > 0 {
			m["text"] = string(b.text)
		}
		if len(b.thinking) > 0 {
			m["thinking"] = string(b.thinking)
		}
		if len(b.signature) > 0 {
			m["signature"] = string(b.signature)
		}
		if b.hasInput {
			if json.Valid(b.input) {
				m["input"] = json.RawMessage(b.input)
			} else {
				// A tool call cut off mid-arguments: what arrived, as text.
				m["input"] = string(b.input)
			}
		}
		if len(b.citations) > 0 {
			m["citations"] = b.citations
		}
		out = append(out, m)
	}
	return out
}
