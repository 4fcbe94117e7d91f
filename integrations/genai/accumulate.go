package langfusegenai

import (
	"encoding/json"
	"strings"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// accumulator puts the chunks of a response together: the text of each
// candidate joined, thoughts apart from the answer, function calls and
// other parts in the order they came; the last usage and model seen.
type accumulator struct {
	chunks     int
	bad        int // chunks that were not a GenerateContentResponse
	model      string
	responseID string
	usage      *usageMetadata
	cands      []*candidateAcc
	feedback   *promptFeedback
	err        string
}

type candidateAcc struct {
	index         int
	role          string
	parts         []any // *textPart, or another part as JSON
	finishReason  string
	finishMessage string
}

// textPart is the text of consecutive text parts of one kind, joined.
type textPart struct {
	Text    strings.Builder
	Thought bool
}

// outTextPart is a textPart as it is recorded.
type outTextPart struct {
	Text    string `json:"text"`
	Thought bool   `json:"thought,omitempty"`
}

// outContent is a candidate's content as it is recorded.
type outContent struct {
	Role  string `json:"role"`
	Parts []any  `json:"parts"`
}

func (a *accumulator) add(data []byte) {
	a.chunks++
	var r generateResponse
	if err := decode(data, &r); err != nil {
		a.bad++
		return
	}
	if r.Error != nil {
		if a.err == "" {
			a.err = r.Error.String()
			if a.err == "" {
				a.err = "error in the response"
			}
		}
		return
	}
	if r.ModelVersion != "" {
		a.model = r.ModelVersion
	}
	if r.ResponseID != "" {
		a.responseID = r.ResponseID
	}
	if r.UsageMetadata != nil {
		a.usage = r.UsageMetadata
	}
	if r.PromptFeedback != nil && r.PromptFeedback.BlockReason != "" {
		a.feedback = r.PromptFeedback
	}
	for i := range r.Candidates {
		c := &r.Candidates[i]
		idx := i
		if c.Index != nil {
			idx = *c.Index
		}
		ca := a.candidate(idx)
		if c.Content.Role != "" {
			ca.role = c.Content.Role
		}
		for _, p := range c.Content.Parts {
			ca.addPart(p)
		}
		if c.FinishReason != "" {
			ca.finishReason = c.FinishReason
		}
		if c.FinishMessage != "" {
			ca.finishMessage = c.FinishMessage
		}
	}
}

func (a *accumulator) candidate(idx int) *candidateAcc {
	for _, c := range a.cands {
		if c.index == idx {
			return c
		}
	}
	c := &candidateAcc{index: idx}
	a.cands = append(a.cands, c)
	return c
}

func (c *candidateAcc) addPart(raw json.RawMessage) {
	var p struct {
		Text    *string `json:"text"`
		Thought bool    `json:"thought"`
	}
	if decode(raw, &p) != nil || p.Text == nil {
		c.parts = append(c.parts, withoutInlineData(raw))
		return
	}
	if n := len(c.parts); n > 0 {
		if last, ok := c.parts[n-1].(*textPart); ok && last.Thought == p.Thought {
			last.Text.WriteString(*p.Text)
			return
		}
	}
	t := &textPart{Thought: p.Thought}
	t.Text.WriteString(*p.Text)
	c.parts = append(c.parts, t)
}

func (c *candidateAcc) content() outContent {
	role := c.role
	if role == "" {
		role = "model"
	}
	out := outContent{Role: role, Parts: make([]any, len(c.parts))}
	for i, p := range c.parts {
		if t, ok := p.(*textPart); ok {
			out.Parts[i] = outTextPart{Text: t.Text.String(), Thought: t.Thought}
		} else {
			out.Parts[i] = p
		}
	}
	return out
}

// result is what the chunks added so far came to. The answer has ended
// when every candidate has a finish reason, when the prompt was blocked,
// or at an error.
func (a *accumulator) result() llmhttp.Result {
	r := llmhttp.Result{Model: a.model, Usage: usage(a.usage)}
	meta := make(map[string]any, 4)
	if a.responseID != "" {
		meta["response_id"] = a.responseID
	}
	ended := len(a.cands) > 0
	switch len(a.cands) {
	case 0:
	case 1:
		c := a.cands[0]
		if len(c.parts) > 0 {
			r.Output = c.content()
		}
		if c.finishReason != "" {
			meta["finish_reason"] = c.finishReason
		}
		if c.finishMessage != "" {
			meta["finish_message"] = c.finishMessage
		}
		ended = c.finishReason != ""
	default:
		outs := make([]outContent, len(a.cands))
		reasons := make([]string, len(a.cands))
		for i, c := range a.cands {
			outs[i] = c.content()
			reasons[i] = c.finishReason
			if c.finishReason == "" {
				ended = false
			}
		}
		r.Output = outs
		meta["finish_reasons"] = reasons
	}
	if f := a.feedback; f != nil {
		meta["block_reason"] = f.BlockReason
		r.Error = "prompt blocked: " + f.BlockReason
		if f.BlockReasonMessage != "" {
			r.Error += ": " + f.BlockReasonMessage
		}
		ended = true
	}
	if a.err != "" {
		r.Error = a.err
		ended = true
	}
	if a.bad > 0 {
		meta["malformed_chunks"] = a.bad
	}
	if len(meta) > 0 {
		r.Metadata = meta
	}
	r.Ended = ended
	return r
}
