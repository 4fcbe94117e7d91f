package langfusegenai

import (
	"bytes"
	"encoding/json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// embedContentRequest is an EmbedContentRequest; a batch holds a list.
// The Gemini API puts the parameters beside the content, Vertex AI in
// embedContentConfig.
type embedContentRequest struct {
	Content json.RawMessage `json:"content"`
	embedParams
	EmbedContentConfig *embedParams `json:"embedContentConfig"`
}

type embedParams struct {
	TaskType             string `json:"taskType"`
	Title                string `json:"title"`
	OutputDimensionality *int   `json:"outputDimensionality"`
	AutoTruncate         *bool  `json:"autoTruncate"`
}

func embedRequest(op llmhttp.Operation, body []byte) llmhttp.Request {
	var reqs []embedContentRequest
	if op.Kind == kindBatchEmbed {
		var batch struct {
			Requests []embedContentRequest `json:"requests"`
		}
		if err := decode(body, &batch); err != nil {
			return llmhttp.Request{Input: rawText(body)}
		}
		reqs = batch.Requests
	} else {
		var one embedContentRequest
		if err := decode(body, &one); err != nil {
			return llmhttp.Request{Input: rawText(body)}
		}
		reqs = []embedContentRequest{one}
	}
	var r llmhttp.Request
	if len(reqs) == 0 {
		return r
	}
	// The parameters of the first request stand for the batch: the SDK
	// sends the same configuration with every content.
	first := reqs[0].embedParams
	if c := reqs[0].EmbedContentConfig; c != nil {
		first = *c
	}
	r.Params = make(map[string]any, 3)
	if first.TaskType != "" {
		r.Params["taskType"] = first.TaskType
	}
	if first.OutputDimensionality != nil {
		r.Params["outputDimensionality"] = *first.OutputDimensionality
	}
	if first.AutoTruncate != nil {
		r.Params["autoTruncate"] = *first.AutoTruncate
	}
	if op.Kind == kindEmbed {
		r.Input = withoutInlineData(reqs[0].Content)
		return r
	}
	contents := make([]any, 0, len(reqs))
	for _, q := range reqs {
		contents = append(contents, withoutInlineData(q.Content))
	}
	r.Input = contents
	return r
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
