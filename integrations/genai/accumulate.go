package langfusegenai

import (
	"encoding/json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// accumulator puts the chunks of a response together: the text of each
// candidate joined, thoughts apart from the answer, function calls and
// other parts in the order they came; the last usage and model seen. What
// it keeps comes out of its budget (nil: no bound).
type accumulator struct {
	keep       *llmhttp.Budget
	chunks     int
	bad        int // chunks that were not a GenerateContentResponse
	model      string
	responseID string
	usage      *usageMetadata
	cands      llmhttp.Entries[candidateAcc] // in the order they first appeared
	feedback   *promptFeedback
	err        string
}

// entryCost is what a new text part counts against the budget beside
// its text: its bookkeeping, so that a stream of ever new parts is
// bounded like one of ever more text.
const entryCost = 64

type candidateAcc struct {
	role          string
	parts         []any // *textPart, or another part as JSON
	finishReason  string
	finishMessage string
}

// textPart is the text of consecutive text parts of one kind, joined.
type textPart struct {
	Text    []byte
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
	if a.keep.Spent() && a.skim(data) {
		return
	}
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
		ca := a.cands.Get(a.keep, idx)
		if ca == nil {
			continue
		}
		if c.Content.Role != "" {
			ca.role = c.Content.Role
		}
		for _, p := range c.Content.Parts {
			ca.addPart(a.keep, p)
		}
		if c.FinishReason != "" {
			ca.finishReason = c.FinishReason
		}
		if c.FinishMessage != "" {
			ca.finishMessage = c.FinishMessage
		}
	}
}

func (c *candidateAcc) addPart(keep *llmhttp.Budget, raw json.RawMessage) {
	var p struct {
		Text    *string `json:"text"`
		Thought bool    `json:"thought"`
	}
	if decode(raw, &p) != nil || p.Text == nil {
		if part, size := keptPart(raw); keep.Take(size) {
			c.parts = append(c.parts, part)
		}
		return
	}
	if n := len(c.parts); n > 0 {
		if last, ok := c.parts[n-1].(*textPart); ok && last.Thought == p.Thought {
			last.Text = keep.Append(last.Text, *p.Text)
			return
		}
	}
	if !keep.Take(entryCost) {
		return
	}
	c.parts = append(c.parts, &textPart{Thought: p.Thought, Text: keep.Append(nil, *p.Text)})
}

// keptPart is a part other than text as it is kept, and its size: raw
// itself, or with the data of its inline media replaced by a note.
func keptPart(raw json.RawMessage) (part any, size int) {
	part = withoutInlineData(raw)
	if r, ok := part.(json.RawMessage); ok {
		return r, len(r)
	}
	b, _ := json.Marshal(part)
	return part, len(b)
}

// skim reads a chunk that comes after the budget is spent without
// decoding it, when it can: the usage it carries, when nothing else in it
// ends or changes the answer. It reports false for a chunk that holds a
// finish reason or message, an error, prompt feedback, another model or
// response id, a key it cannot match (llmhttp.KeyUnsure), or that it
// cannot read, which is then decoded. Keys match in any ASCII case and
// the last of a repeated key counts, as for a decoder; but it checks no
// more than it reads, so a chunk that a decoder rejects for a part it
// does not read may still give it its usage. It allocates nothing but
// the usage the first time.
func (a *accumulator) skim(data []byte) bool {
	var u usageMetadata
	hasUsage := false
	simple := true
	ok := llmhttp.EachMember(data, func(k, v []byte) bool {
		switch {
		case llmhttp.KeyUnsure(k):
			simple = false
		case llmhttp.KeyIs(k, "candidates"):
			llmhttp.EachElement(v, func(c []byte) bool {
				llmhttp.EachMember(c, func(ck, cv []byte) bool {
					if llmhttp.KeyUnsure(ck) || llmhttp.KeyIs(ck, "finishReason") || llmhttp.KeyIs(ck, "finishMessage") {
						simple = llmhttp.IsNull(cv) || llmhttp.IsString(cv, "")
					}
					return simple
				})
				return simple
			})
		case llmhttp.KeyIs(k, "usageMetadata"):
			u, hasUsage = usageMetadata{}, !llmhttp.IsNull(v)
			if hasUsage {
				simple = readUsage(v, &u)
			}
		case llmhttp.KeyIs(k, "modelVersion"):
			simple = llmhttp.IsString(v, a.model)
		case llmhttp.KeyIs(k, "responseId"):
			simple = llmhttp.IsString(v, a.responseID)
		case llmhttp.KeyIs(k, "error"), llmhttp.KeyIs(k, "promptFeedback"):
			simple = llmhttp.IsNull(v)
		}
		return simple
	})
	if !ok || !simple {
		return false
	}
	a.chunks++
	if hasUsage {
		if a.usage == nil {
			a.usage = new(usageMetadata)
		}
		*a.usage = u
	}
	return true
}

// readUsage reads the counts of a usageMetadata object into u; false when
// one of them is not a whole number, or a key cannot be matched.
func readUsage(v []byte, u *usageMetadata) bool {
	good := true
	ok := llmhttp.EachMember(v, func(k, n []byte) bool {
		var dst *int
		switch {
		case llmhttp.KeyUnsure(k):
			good = false
			return false
		case llmhttp.KeyIs(k, "promptTokenCount"):
			dst = &u.PromptTokenCount
		case llmhttp.KeyIs(k, "candidatesTokenCount"):
			dst = &u.CandidatesTokenCount
		case llmhttp.KeyIs(k, "totalTokenCount"):
			dst = &u.TotalTokenCount
		case llmhttp.KeyIs(k, "cachedContentTokenCount"):
			dst = &u.CachedContentTokenCount
		case llmhttp.KeyIs(k, "thoughtsTokenCount"):
			dst = &u.ThoughtsTokenCount
		case llmhttp.KeyIs(k, "toolUsePromptTokenCount"):
			dst = &u.ToolUsePromptTokenCount
		default:
			return true
		}
		*dst, good = llmhttp.Int(n)
		return good
	})
	return ok && good
}

func (c *candidateAcc) content(keep *llmhttp.Budget) outContent {
	role := c.role
	if role == "" {
		role = "model"
	}
	out := outContent{Role: role, Parts: make([]any, len(c.parts))}
	for i, p := range c.parts {
		if t, ok := p.(*textPart); ok {
			out.Parts[i] = outTextPart{Text: keep.Text(t.Text), Thought: t.Thought}
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
	cands := a.cands.All()
	ended := len(cands) > 0
	switch len(cands) {
	case 0:
	case 1:
		c := cands[0]
		if len(c.parts) > 0 {
			r.Output = c.content(a.keep)
		}
		if c.finishReason != "" {
			meta["finish_reason"] = c.finishReason
		}
		if c.finishMessage != "" {
			meta["finish_message"] = c.finishMessage
		}
		ended = c.finishReason != ""
	default:
		outs := make([]outContent, len(cands))
		reasons := make([]string, len(cands))
		for i, c := range cands {
			outs[i] = c.content(a.keep)
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
