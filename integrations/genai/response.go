package langfusegenai

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// generateResponse holds the fields of a GenerateContentResponse that are
// recorded. A stream sends one per event, a whole answer one in all.
type generateResponse struct {
	Candidates     []candidate     `json:"candidates"`
	PromptFeedback *promptFeedback `json:"promptFeedback"`
	UsageMetadata  *usageMetadata  `json:"usageMetadata"`
	ModelVersion   string          `json:"modelVersion"`
	ResponseID     string          `json:"responseId"`
	Error          *apiError       `json:"error"`
}

type candidate struct {
	Index   *int `json:"index"`
	Content struct {
		Role  string            `json:"role"`
		Parts []json.RawMessage `json:"parts"`
	} `json:"content"`
	FinishReason  string `json:"finishReason"`
	FinishMessage string `json:"finishMessage"`
}

type promptFeedback struct {
	BlockReason        string `json:"blockReason"`
	BlockReasonMessage string `json:"blockReasonMessage"`
}

// usageMetadata is the token count of a response. promptTokenCount
// includes cachedContentTokenCount; totalTokenCount is the sum of prompt,
// candidates, tool use prompt and thoughts tokens.
type usageMetadata struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CandidatesTokenCount    int `json:"candidatesTokenCount"`
	TotalTokenCount         int `json:"totalTokenCount"`
	CachedContentTokenCount int `json:"cachedContentTokenCount"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
	ToolUsePromptTokenCount int `json:"toolUsePromptTokenCount"`
}

// apiError is the error object of the Google APIs.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
}

func (e *apiError) String() string {
	switch {
	case e.Status != "" && e.Message != "":
		return e.Status + ": " + e.Message
	case e.Message != "":
		return e.Message
	case e.Status != "":
		return e.Status
	}
	return ""
}

// Response reads a whole response: one GenerateContentResponse, the JSON
// array of them that streamGenerateContent sends without alt=sse, or an
// embedding response.
func (provider) Response(op llmhttp.Operation, body []byte) llmhttp.Result {
	switch op.Kind {
	case kindEmbed, kindBatchEmbed:
		return embedResponse(body)
	}
	var acc accumulator
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var chunks []json.RawMessage
		if err := decode(trimmed, &chunks); err != nil {
			return llmhttp.Result{Output: rawText(body), Error: "malformed response: " + err.Error()}
		}
		for _, c := range chunks {
			acc.add(c)
		}
	} else {
		acc.add(trimmed)
	}
	r := acc.result()
	if acc.bad > 0 && acc.chunks == acc.bad {
		r.Output = rawText(body)
	}
	return r
}

// Stream reads the server-sent events of streamGenerateContent?alt=sse:
// each event's data is a GenerateContentResponse.
func (provider) Stream(llmhttp.Operation) llmhttp.Stream { return &stream{} }

type stream struct{ acc accumulator }

func (s *stream) Event(_ string, data []byte) { s.acc.add(data) }
func (s *stream) Result() llmhttp.Result      { return s.acc.result() }

// ErrorMessage returns "STATUS: message" from the error object of a Google
// API error body, which a stream sends inside a JSON array.
func (provider) ErrorMessage(_ int, body []byte) string {
	body = bytes.TrimSpace(body)
	var e struct {
		Error *apiError `json:"error"`
	}
	if len(body) > 0 && body[0] == '[' {
		var list []json.RawMessage
		if decode(body, &list) != nil || len(list) == 0 {
			return ""
		}
		body = list[0]
	}
	if decode(body, &e) != nil || e.Error == nil {
		return ""
	}
	return e.Error.String()
}

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
	parts         []any // *textPart or json.RawMessage
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
		c.parts = append(c.parts, raw)
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

// usage maps usageMetadata to Langfuse's usage keys, as Langfuse prices
// Gemini models: input is the prompt tokens not read from the cache, which
// are input_cached_tokens; output is the candidates' tokens and
// output_reasoning the thoughts' tokens, which Gemini counts apart from
// them; input_tool_use the tokens of tool use prompts.
func usage(u *usageMetadata) map[string]int {
	if u == nil {
		return nil
	}
	m := make(map[string]int, 6)
	put := func(k string, v int) {
		if v > 0 {
			m[k] = v
		}
	}
	put("input", max(0, u.PromptTokenCount-max(0, u.CachedContentTokenCount)))
	put("input_cached_tokens", u.CachedContentTokenCount)
	put("input_tool_use", u.ToolUsePromptTokenCount)
	put("output", u.CandidatesTokenCount)
	put("output_reasoning", u.ThoughtsTokenCount)
	put("total", u.TotalTokenCount)
	if len(m) == 0 {
		return nil
	}
	return m
}

// embedResponse reads an EmbedContentResponse or a
// BatchEmbedContentsResponse: the number of embeddings and their
// dimensions, never the vectors.
func embedResponse(body []byte) llmhttp.Result {
	var r struct {
		Embedding     *embedding     `json:"embedding"`
		Embeddings    []embedding    `json:"embeddings"`
		UsageMetadata *usageMetadata `json:"usageMetadata"`
		Metadata      *struct {
			BillableCharacterCount int `json:"billableCharacterCount"`
		} `json:"metadata"`
	}
	if err := decode(body, &r); err != nil {
		return llmhttp.Result{Output: rawText(body)}
	}
	list := r.Embeddings
	if r.Embedding != nil {
		list = append(list, *r.Embedding)
	}
	out := map[string]any{"embeddings": len(list)}
	if len(list) > 0 {
		out["dimensions"] = countValues(list[0].Values)
	}
	res := llmhttp.Result{Output: out}
	if u := r.UsageMetadata; u != nil {
		m := make(map[string]int, 2)
		if u.PromptTokenCount > 0 {
			m["input"] = u.PromptTokenCount
		}
		if u.TotalTokenCount > 0 {
			m["total"] = u.TotalTokenCount
		}
		if len(m) > 0 {
			res.Usage = m
		}
	}
	return res
}

// embedding keeps an embedding's values as JSON text: they are counted,
// not decoded.
type embedding struct {
	Values json.RawMessage `json:"values"`
}

// countValues counts the numbers of a JSON array of numbers.
func countValues(v json.RawMessage) int {
	v = bytes.TrimSpace(v)
	if len(v) < 2 || v[0] != '[' {
		return 0
	}
	inner := bytes.TrimSpace(v[1 : len(v)-1])
	if len(inner) == 0 {
		return 0
	}
	return bytes.Count(inner, []byte(",")) + 1
}
