package langfuseollama

import (
	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Stream returns a reader of one streamed chat or generate answer, which
// keeps what it accumulates within keep.
func (provider) Stream(op llmhttp.Operation, keep *llmhttp.Budget) llmhttp.Stream {
	return &stream{kind: op.Kind, keep: keep}
}

// stream accumulates the lines of a streamed answer into the answer they
// make: the text and thinking of every line, the tool calls of a chat,
// and the model, done reason, counts and timings of the last line, which
// says "done": true.
type stream struct {
	kind       int
	keep       *llmhttp.Budget
	model      string
	role       string
	content    []byte
	thinking   []byte
	toolCalls  []byte // the tool calls as the elements of a JSON array, without its brackets
	doneReason string
	metrics    metrics
	err        string
	ended      bool
	line       answer // decoded into afresh for each line
}

// Event takes one line of the stream. A line that is not JSON is passed
// over; one with an "error" member ends the answer at level ERROR, as the
// Ollama client fails on it.
func (s *stream) Event(_ string, data []byte) {
	if s.keep.Spent() && !lineMatters(data) {
		return
	}
	s.line = answer{}
	a := &s.line
	if err := json.Unmarshal(data, a); err != nil {
		return
	}
	if a.Model != "" {
		s.model = a.Model
	}
	if a.Error != nil {
		s.err = errorText(*a.Error)
	}
	text, thinking := a.Response, a.Thinking
	if m := a.Message; m != nil {
		text, thinking = m.Content, m.Thinking
		if m.Role != "" {
			s.role = m.Role
		}
		for _, c := range m.ToolCalls {
			if s.keep.Take(len(c) + 1) {
				if len(s.toolCalls) > 0 {
					s.toolCalls = append(s.toolCalls, ',')
				}
				s.toolCalls = append(s.toolCalls, c...)
			}
		}
	}
	s.content = s.keep.Append(s.content, text)
	s.thinking = s.keep.Append(s.thinking, thinking)
	if a.Done {
		s.ended = true
		s.doneReason = a.DoneReason
		s.metrics = a.metrics
	}
}

// lineMatters reports whether a line that comes after the budget is spent
// can change the record: the last line ("done": true) and an error can;
// a line of text, which would add to what is no longer kept, cannot. It
// allocates nothing.
func lineMatters(data []byte) bool {
	matters, unsure := false, false
	llmhttp.EachMember(data, func(k, v []byte) bool {
		switch {
		case llmhttp.KeyUnsure(k):
			unsure = true
		case llmhttp.KeyIs(k, "done") && string(v) == "true",
			llmhttp.KeyIs(k, "error"):
			matters = true
		}
		return true
	})
	return matters || unsure
}

// Result is the answer the lines came to.
func (s *stream) Result() llmhttp.Result {
	r := llmhttp.Result{Model: s.model, Error: s.err, Ended: s.ended}
	if s.ended {
		r.Usage = s.metrics.usage()
		r.Metadata = s.metrics.metadata(s.doneReason)
	}
	content, thinking := s.keep.Text(s.content), s.keep.Text(s.thinking)
	switch s.kind {
	case kindChat:
		if content != "" || thinking != "" || len(s.toolCalls) > 0 || s.ended {
			r.Output = chatOutput(s.role, content, thinking, s.calls())
		}
	case kindGenerate:
		if content != "" || thinking != "" || s.ended {
			r.Output = generateOutput(content, thinking)
		}
	}
	return r
}

// calls returns the tool calls the lines held, with the request's secrets
// taken out (as text when that left them no JSON), nil when none.
func (s *stream) calls() any {
	if len(s.toolCalls) == 0 {
		return nil
	}
	text := "[" + s.keep.Text(s.toolCalls) + "]"
	if json.Valid([]byte(text)) {
		return json.RawMessage(text)
	}
	return text
}
