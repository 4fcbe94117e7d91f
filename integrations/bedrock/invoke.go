package langfusebedrock

import (
	"encoding/base64"

	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// claudeParams are the fields of an Anthropic Messages body (InvokeModel
// of a Claude model) recorded as model parameters.
var claudeParams = [...]string{
	"anthropic_version", "anthropic_beta", "max_tokens", "temperature", "top_p", "top_k",
	"stop_sequences", "tools", "tool_choice", "thinking",
}

// invokeRequest reads an InvokeModel body. A body with "messages" is read
// as Anthropic Messages JSON: the parameters of claudeParams, and the
// messages with the system prompt put first as the input. Any other JSON
// body (another model family's) is recorded whole as the input.
func invokeRequest(body []byte) llmhttp.Request {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return llmhttp.Request{Input: rawText(body)}
	}
	if _, ok := fields["messages"]; !ok {
		return llmhttp.Request{Input: json.RawMessage(append([]byte(nil), body...))}
	}
	var r llmhttp.Request
	for _, k := range claudeParams {
		if v, ok := fields[k]; ok && !isNull(v) {
			if r.Params == nil {
				r.Params = make(map[string]any, 8)
			}
			r.Params[k] = v
		}
	}
	r.Input = withSystem(fields["system"], fields["messages"])
	return r
}

// claudeUsage is an Anthropic message's token counts.
type claudeUsage struct {
	InputTokens              *int64 `json:"input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
}

// merge takes the counts u reports over those of acc: a stream's
// message_delta reports totals.
func (acc *claudeUsage) merge(u *claudeUsage) {
	set := func(dst **int64, src *int64) {
		if src != nil {
			*dst = src
		}
	}
	set(&acc.InputTokens, u.InputTokens)
	set(&acc.OutputTokens, u.OutputTokens)
	set(&acc.CacheCreationInputTokens, u.CacheCreationInputTokens)
	set(&acc.CacheReadInputTokens, u.CacheReadInputTokens)
}

// details returns the counts in Langfuse's usage keys (input, output,
// cache_read_input_tokens, cache_creation_input_tokens and their total),
// nil when there are none.
func (acc *claudeUsage) details() map[string]int {
	if acc == nil {
		return nil
	}
	return counted(nil,
		count{"input", acc.InputTokens},
		count{"output", acc.OutputTokens},
		count{"cache_read_input_tokens", acc.CacheReadInputTokens},
		count{"cache_creation_input_tokens", acc.CacheCreationInputTokens})
}

// claudeMessage is the part of an Anthropic message that is recorded.
type claudeMessage struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Model      string          `json:"model"`
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	StopReason *string         `json:"stop_reason"`
	Usage      *claudeUsage    `json:"usage"`
}

// invokeResponse reads a whole InvokeModel answer: an Anthropic message
// for Claude, any other JSON recorded whole as the output.
func invokeResponse(body []byte) llmhttp.Result {
	var m claudeMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return llmhttp.Result{Output: rawText(body)}
	}
	if m.Type != "message" && isNull(m.Content) {
		return llmhttp.Result{Output: json.RawMessage(append([]byte(nil), body...)), Ended: true}
	}
	r := llmhttp.Result{Model: m.Model, Usage: m.Usage.details(), Ended: true}
	if !isNull(m.Content) {
		role := m.Role
		if role == "" {
			role = "assistant"
		}
		r.Output = assistantMessage{Role: role, Content: m.Content}
	}
	r.Metadata = claudeMetadata(m.ID, m.StopReason)
	return r
}

func claudeMetadata(id string, stopReason *string) map[string]any {
	md := make(map[string]any, 2)
	if id != "" {
		md["message_id"] = id
	}
	if stopReason != nil {
		md["stop_reason"] = *stopReason
	}
	if len(md) == 0 {
		return nil
	}
	return md
}

// invokeStream reads an InvokeModelWithResponseStream answer: "chunk"
// events whose payload's "bytes" are the base64 of the model's own event,
// an Anthropic Messages stream event for Claude.
type invokeStream struct {
	claude  claudeStream
	decoded []byte // the current chunk's event, decoded into afresh
}

type chunkPayload struct {
	Bytes string `json:"bytes"`
}

// Event takes one event of the stream: a chunk, or an exception.
func (s *invokeStream) Event(event string, data []byte) {
	if typ, ok := streamError(event); ok {
		s.claude.err = exceptionMessage(typ, data)
		return
	}
	if event != "chunk" {
		return
	}
	var c chunkPayload
	if json.Unmarshal(data, &c) != nil {
		return
	}
	n := base64.StdEncoding.DecodedLen(len(c.Bytes))
	if cap(s.decoded) < n {
		s.decoded = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(s.decoded[:n], []byte(c.Bytes))
	if err != nil {
		return
	}
	s.claude.event(s.decoded[:n])
}

func (s *invokeStream) Result() llmhttp.Result { return s.claude.result() }

// claudeStream accumulates the events of an Anthropic Messages stream
// into the message they make, within its budget.
type claudeStream struct {
	keep       *llmhttp.Budget
	id, model  string
	role       string
	usage      claudeUsage
	hasUsage   bool
	stopReason *string
	blocks     []*claudeBlock
	err        string
	ended      bool
}

// claudeBlock is one content block: its content_block_start fields with
// the deltas that followed.
type claudeBlock struct {
	start     map[string]json.RawMessage
	text      []byte
	thinking  []byte
	signature []byte
	input     []byte
	hasInput  bool
}

type claudeEvent struct {
	Type         string          `json:"type"`
	Index        int             `json:"index"`
	Message      *claudeMessage  `json:"message"`
	ContentBlock json.RawMessage `json:"content_block"`
	Delta        struct {
		Type        string  `json:"type"`
		Text        string  `json:"text"`
		PartialJSON string  `json:"partial_json"`
		Thinking    string  `json:"thinking"`
		Signature   string  `json:"signature"`
		StopReason  *string `json:"stop_reason"`
	} `json:"delta"`
	Usage *claudeUsage `json:"usage"`
	Error *apiError    `json:"error"`
}

func (s *claudeStream) event(data []byte) {
	ev := claudeEvent{Index: -1}
	if json.Unmarshal(data, &ev) != nil {
		return
	}
	switch ev.Type {
	case "message_start":
		if m := ev.Message; m != nil {
			s.id, s.model, s.role = m.ID, m.Model, m.Role
			s.addUsage(m.Usage)
		}
	case "content_block_start":
		if b := s.block(ev.Index, true); b != nil && s.keep.Take(len(ev.ContentBlock)) {
			_ = json.Unmarshal(ev.ContentBlock, &b.start)
		}
	case "content_block_delta":
		b := s.block(ev.Index, false)
		if b == nil {
			return
		}
		d := &ev.Delta
		switch d.Type {
		case "text_delta":
			b.text = s.keep.Append(b.text, d.Text)
		case "thinking_delta":
			b.thinking = s.keep.Append(b.thinking, d.Thinking)
		case "signature_delta":
			b.signature = s.keep.Append(b.signature, d.Signature)
		case "input_json_delta":
			b.input = s.keep.Append(b.input, d.PartialJSON)
			b.hasInput = b.hasInput || d.PartialJSON != ""
		}
	case "message_delta":
		s.stopReason = ev.Delta.StopReason
		s.addUsage(ev.Usage)
	case "message_stop":
		s.ended = true
	case "error":
		if ev.Error != nil {
			s.err = ev.Error.String()
		}
		if s.err == "" {
			s.err = "error event: " + rawText(data)
		}
	}
}

func (s *claudeStream) addUsage(u *claudeUsage) {
	if u != nil {
		s.usage.merge(u)
		s.hasUsage = true
	}
}

func (s *claudeStream) block(i int, start bool) *claudeBlock {
	if i < 0 || i >= len(s.blocks)+maxBlockGap {
		return nil
	}
	if !start {
		if i < len(s.blocks) {
			return s.blocks[i]
		}
		return nil
	}
	if !s.keep.Take(blockCost) {
		return nil
	}
	for i >= len(s.blocks) {
		s.blocks = append(s.blocks, nil)
	}
	s.blocks[i] = &claudeBlock{}
	return s.blocks[i]
}

func (s *claudeStream) result() llmhttp.Result {
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
	r.Metadata = claudeMetadata(s.id, s.stopReason)
	return r
}

// content renders the blocks as a message's content array holds them.
func (s *claudeStream) content() []map[string]any {
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
			m["text"] = s.keep.Text(b.text)
		}
		if len(b.thinking) > 0 {
			m["thinking"] = s.keep.Text(b.thinking)
		}
		if len(b.signature) > 0 {
			m["signature"] = s.keep.Text(b.signature)
		}
		if b.hasInput {
			if in := s.keep.Text(b.input); json.Valid([]byte(in)) {
				m["input"] = json.RawMessage(in)
			} else {
				m["input"] = in
			}
		}
		out = append(out, m)
	}
	return out
}
