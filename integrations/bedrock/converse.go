package langfusebedrock

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// converseParams are the fields of a Converse request's inferenceConfig
// recorded as model parameters, under their wire names.
var converseParams = [...]string{"maxTokens", "temperature", "topP", "stopSequences"}

// converseFields are the other fields of a Converse request recorded as
// model parameters, as the request wrote them.
var converseFields = [...]string{
	"toolConfig", "additionalModelRequestFields", "guardrailConfig",
	"performanceConfig", "serviceTier", "promptVariables",
}

// converseRequest reads a Converse request body: the inferenceConfig
// fields and those of converseFields as parameters, the messages with
// the system blocks put first as a message of role "system" as the input.
func converseRequest(body []byte) llmhttp.Request {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return llmhttp.Request{Input: llmhttp.RawText(body)}
	}
	var r llmhttp.Request
	var inference map[string]json.RawMessage
	if v, ok := fields["inferenceConfig"]; ok && json.Unmarshal(v, &inference) == nil {
		r.Params = llmhttp.Params(r.Params, inference, converseParams[:]...)
	}
	r.Params = llmhttp.Params(r.Params, fields, converseFields[:]...)
	if md, ok := fields["requestMetadata"]; ok && !llmhttp.IsNull(md) {
		r.Metadata = map[string]any{"request_metadata": md}
	}
	r.Input = llmhttp.SystemFirst(fields["system"], fields["messages"])
	return r
}

// converseUsage is a Converse answer's token counts.
type converseUsage struct {
	InputTokens           *int64 `json:"inputTokens"`
	OutputTokens          *int64 `json:"outputTokens"`
	TotalTokens           *int64 `json:"totalTokens"`
	CacheReadInputTokens  *int64 `json:"cacheReadInputTokens"`
	CacheWriteInputTokens *int64 `json:"cacheWriteInputTokens"`
}

// details returns the counts in Langfuse's usage keys, nil when there are
// none:
//
//	input                        inputTokens (Bedrock counts cached input apart)
//	output                       outputTokens
//	cache_read_input_tokens      cacheReadInputTokens
//	cache_creation_input_tokens  cacheWriteInputTokens
//	total                        totalTokens, else the sum of the others
func (u *converseUsage) details() map[string]int {
	if u == nil {
		return nil
	}
	return counted(u.TotalTokens,
		count{"input", u.InputTokens},
		count{"output", u.OutputTokens},
		count{"cache_read_input_tokens", u.CacheReadInputTokens},
		count{"cache_creation_input_tokens", u.CacheWriteInputTokens})
}

type converseMetrics struct {
	LatencyMs *int64 `json:"latencyMs"`
}

// converseAnswer is the part of a Converse response that is recorded.
type converseAnswer struct {
	Output struct {
		Message json.RawMessage `json:"message"`
	} `json:"output"`
	StopReason string          `json:"stopReason"`
	Usage      *converseUsage  `json:"usage"`
	Metrics    converseMetrics `json:"metrics"`
}

// converseResponse reads a whole Converse response: the message as the
// output, the usage, the stop reason and the latency Bedrock measured.
func converseResponse(body []byte) llmhttp.Result {
	var a converseAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return llmhttp.Result{Output: llmhttp.RawText(body)}
	}
	r := llmhttp.Result{Usage: a.Usage.details(), Ended: true}
	if !llmhttp.IsNull(a.Output.Message) {
		r.Output = a.Output.Message
	}
	r.Metadata = converseMetadata(a.StopReason, a.Metrics)
	return r
}

// converseMetadata returns why the answer stopped and Bedrock's latency
// as the observation's metadata.
func converseMetadata(stopReason string, m converseMetrics) map[string]any {
	md := make(map[string]any, 2)
	if stopReason != "" {
		md["stop_reason"] = stopReason
	}
	if m.LatencyMs != nil {
		md["latency_ms"] = *m.LatencyMs
	}
	if len(md) == 0 {
		return nil
	}
	return md
}

// converseStream accumulates the events of one ConverseStream answer into
// the message they make, within its budget.
type converseStream struct {
	keep       *llmhttp.Budget
	role       string
	blocks     llmhttp.Blocks[converseBlock]
	stopReason string
	usage      *converseUsage
	metrics    converseMetrics
	err        string
	ended      bool
}

// converseBlock is one content block of a streamed answer.
type converseBlock struct {
	toolUseID, name string
	isTool          bool
	text            []byte
	input           []byte // a tool call's arguments, in pieces
	reasoning       []byte
	signature       []byte
	isReasoning     bool
}

// converseEvent is the payload of any ConverseStream event.
type converseEvent struct {
	Role              string `json:"role"`
	ContentBlockIndex int    `json:"contentBlockIndex"`
	Start             struct {
		ToolUse *struct {
			ToolUseID string `json:"toolUseId"`
			Name      string `json:"name"`
		} `json:"toolUse"`
	} `json:"start"`
	Delta struct {
		Text    *string `json:"text"`
		ToolUse *struct {
			Input string `json:"input"`
		} `json:"toolUse"`
		ReasoningContent *struct {
			Text      string `json:"text"`
			Signature string `json:"signature"`
		} `json:"reasoningContent"`
	} `json:"delta"`
	StopReason string          `json:"stopReason"`
	Usage      *converseUsage  `json:"usage"`
	Metrics    converseMetrics `json:"metrics"`
}

// Event takes one event of the stream, named by its :event-type
// (messageStart, contentBlockStart, contentBlockDelta, contentBlockStop,
// messageStop, metadata) or an exception. Data that is not JSON, and
// events this reader does not know, are passed over.
func (s *converseStream) Event(event string, data []byte) {
	if typ, ok := streamError(event); ok {
		s.err = exceptionMessage(typ, data)
		return
	}
	if s.keep.Spent() && event == "contentBlockDelta" {
		return
	}
	ev := converseEvent{ContentBlockIndex: -1}
	if json.Unmarshal(data, &ev) != nil {
		return
	}
	switch event {
	case "messageStart":
		s.role = ev.Role
	case "contentBlockStart":
		if b := s.blocks.Get(s.keep, ev.ContentBlockIndex); b != nil && ev.Start.ToolUse != nil {
			if s.keep.Take(len(ev.Start.ToolUse.ToolUseID) + len(ev.Start.ToolUse.Name)) {
				b.toolUseID, b.name, b.isTool = ev.Start.ToolUse.ToolUseID, ev.Start.ToolUse.Name, true
			}
		}
	case "contentBlockDelta":
		b := s.blocks.Get(s.keep, ev.ContentBlockIndex)
		if b == nil {
			return
		}
		d := &ev.Delta
		switch {
		case d.Text != nil:
			b.text = s.keep.Append(b.text, *d.Text)
		case d.ToolUse != nil:
			b.isTool = true
			b.input = s.keep.Append(b.input, d.ToolUse.Input)
		case d.ReasoningContent != nil:
			b.isReasoning = true
			b.reasoning = s.keep.Append(b.reasoning, d.ReasoningContent.Text)
			b.signature = s.keep.Append(b.signature, d.ReasoningContent.Signature)
		}
	case "messageStop":
		s.stopReason, s.ended = ev.StopReason, true
	case "metadata":
		if ev.Usage != nil {
			s.usage = ev.Usage
		}
		s.metrics = ev.Metrics
	}
}

// streamError says whether event is an exception or error message of the
// stream, and its type.
func streamError(event string) (string, bool) {
	for _, p := range [...]string{llmhttp.EventStreamException, llmhttp.EventStreamError} {
		if len(event) >= len(p) && event[:len(p)] == p {
			return event[len(p):], true
		}
	}
	return "", false
}

// Result is the message the events came to, its content blocks in the
// shapes of a Converse response's: {"text"}, {"toolUse"} and
// {"reasoningContent"}.
func (s *converseStream) Result() llmhttp.Result {
	r := llmhttp.Result{Error: s.err, Ended: s.ended, Usage: s.usage.details()}
	if content := s.content(); content != nil {
		r.Output = llmhttp.Answer(s.role, content)
	}
	r.Metadata = converseMetadata(s.stopReason, s.metrics)
	return r
}

func (s *converseStream) content() []map[string]any { return s.blocks.Content(s.render) }

// render is b in the shape of a Converse response's content block.
func (s *converseStream) render(b *converseBlock) map[string]any {
	switch {
	case b.isTool:
		tool := map[string]any{"toolUseId": b.toolUseID, "name": b.name}
		if in := s.keep.Text(b.input); in == "" {
			tool["input"] = map[string]any{}
		} else {
			tool["input"] = llmhttp.ToolInput(in)
		}
		return map[string]any{"toolUse": tool}
	case b.isReasoning:
		text := map[string]any{"text": s.keep.Text(b.reasoning)}
		if len(b.signature) > 0 {
			text["signature"] = s.keep.Text(b.signature)
		}
		return map[string]any{"reasoningContent": map[string]any{"reasoningText": text}}
	default:
		return map[string]any{"text": s.keep.Text(b.text)}
	}
}
