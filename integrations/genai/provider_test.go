package langfusegenai

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

func TestOperation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, url string
		ok          bool
		name, model string
		typ         observe.Type
		kind        int
	}{
		{"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", true,
			"genai.generateContent", "gemini-2.5-flash", observe.TypeGeneration, kindGenerate},
		{"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", true,
			"genai.streamGenerateContent", "gemini-2.5-flash", observe.TypeGeneration, kindStream},
		{"POST", "https://generativelanguage.googleapis.com/v1/models/gemini-2.0-flash:streamGenerateContent?key=k", true,
			"genai.streamGenerateContent", "gemini-2.0-flash", observe.TypeGeneration, kindStream},
		{"POST", "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent", true,
			"genai.generateContent", "gemini-2.5-pro", observe.TypeGeneration, kindGenerate},
		{"POST", "https://aiplatform.googleapis.com/v1beta1/projects/p/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse", true,
			"genai.streamGenerateContent", "gemini-2.5-pro", observe.TypeGeneration, kindStream},
		{"POST", "https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent", true,
			"genai.generateContent", "gemini-2.5-flash", observe.TypeGeneration, kindGenerate},
		{"POST", "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/endpoints/1234:generateContent", true,
			"genai.generateContent", "endpoints/1234", observe.TypeGeneration, kindGenerate},
		{"POST", "https://generativelanguage.googleapis.com/v1beta/tunedModels/my-tune:generateContent", true,
			"genai.generateContent", "tunedModels/my-tune", observe.TypeGeneration, kindGenerate},
		{"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent", true,
			"genai.embedContent", "gemini-embedding-001", observe.TypeEmbedding, kindEmbed},
		{"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents", true,
			"genai.embedContent", "gemini-embedding-001", observe.TypeEmbedding, kindBatchEmbed},
		{"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens", false, "", "", "", 0},
		{"POST", "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/publishers/google/models/imagen-3:predict", false, "", "", "", 0},
		{"GET", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash", false, "", "", "", 0},
		{"GET", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", false, "", "", "", 0},
		{"POST", "https://generativelanguage.googleapis.com/v1beta/files", false, "", "", "", 0},
		{"POST", "https://example.com/:generateContent", false, "", "", "", 0},
		{"POST", "https://example.com/models/x:", false, "", "", "", 0},
	} {
		t.Run(tc.method+" "+tc.url, func(t *testing.T) {
			r, err := http.NewRequest(tc.method, tc.url, nil)
			require.NoError(t, err)
			op, ok := provider{}.Operation(r)
			require.Equal(t, tc.ok, ok)
			if !ok {
				return
			}
			assert.Equal(t, llmhttp.Operation{Name: tc.name, Type: tc.typ, Model: tc.model, Kind: tc.kind}, op)
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   usageMetadata
		want map[string]int
	}{
		{"none", usageMetadata{}, nil},
		{"plain", usageMetadata{PromptTokenCount: 10, CandidatesTokenCount: 5, TotalTokenCount: 15},
			map[string]int{"input": 10, "output": 5, "total": 15}},
		{"cached, thoughts and tool use", usageMetadata{PromptTokenCount: 100, CachedContentTokenCount: 60,
			CandidatesTokenCount: 5, ThoughtsTokenCount: 20, ToolUsePromptTokenCount: 7, TotalTokenCount: 132},
			map[string]int{"input": 40, "input_cached_tokens": 60, "input_tool_use": 7, "output": 5, "output_reasoning": 20, "total": 132}},
		{"negative counts are dropped", usageMetadata{PromptTokenCount: -1, CachedContentTokenCount: -5, CandidatesTokenCount: 2},
			map[string]int{"output": 2}},
		{"cache larger than the prompt", usageMetadata{PromptTokenCount: 3, CachedContentTokenCount: 9},
			map[string]int{"input_cached_tokens": 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, usage(&tc.in))
		})
	}
}

// TestJSONArrayStream: without alt=sse, streamGenerateContent answers a
// JSON array of responses, read whole at its end.
func TestJSONArrayStream(t *testing.T) {
	t.Parallel()
	body := `[{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"modelVersion":"gemini-2.0-flash-001"}
,
{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":2,"totalTokenCount":4},"responseId":"r-9"}
]`
	r := provider{}.Response(llmhttp.Operation{Kind: kindStream}, []byte(body))
	assert.Equal(t, "gemini-2.0-flash-001", r.Model)
	assert.Equal(t, map[string]int{"input": 2, "output": 2, "total": 4}, r.Usage)
	assert.JSONEq(t, `{"role":"model","parts":[{"text":"Hello"}]}`, encode(t, r.Output))
	assert.Equal(t, map[string]any{"finish_reason": "STOP", "response_id": "r-9"}, r.Metadata)
	assert.Empty(t, r.Error)
	assert.True(t, r.Ended)
}

func TestJSONArrayCutShort(t *testing.T) {
	t.Parallel()
	body := `[{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}]},{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]}}]},{"candi`
	r := provider{}.Response(llmhttp.Operation{Kind: kindStream}, []byte(body))
	assert.JSONEq(t, `{"role":"model","parts":[{"text":"Hello"}]}`, encode(t, r.Output), "the responses before the cut")
	assert.Equal(t, true, r.Metadata["incomplete_array"])
	assert.Empty(t, r.Error)
}

func TestSeveralCandidates(t *testing.T) {
	t.Parallel()
	s := provider{}.Stream(llmhttp.Operation{Kind: kindStream}, nil)
	s.Event("", []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"A1"}]},"index":0},{"content":{"role":"model","parts":[{"text":"B1"}]},"index":1}]}`))
	s.Event("", []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":" A2"}]},"finishReason":"STOP","index":0}]}`))
	r := s.Result()
	assert.False(t, r.Ended, "candidate 1 has not finished")
	s.Event("", []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":" B2"}]},"finishReason":"MAX_TOKENS","index":1}]}`))
	r = s.Result()
	assert.True(t, r.Ended)
	assert.JSONEq(t, `[{"role":"model","parts":[{"text":"A1 A2"}]},{"role":"model","parts":[{"text":"B1 B2"}]}]`, encode(t, r.Output))
	assert.Equal(t, []string{"STOP", "MAX_TOKENS"}, r.Metadata["finish_reasons"])
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	p := provider{}
	for _, body := range []string{"", "not json", "{", "[", `[1, "x", {"candidates": 3}]`, `{"candidates": [{"content": {"parts": "x"}}]}`,
		`{"candidates": [null, {"index": -4, "content": {"parts": [null, 7, {"text": null}]}}]}`, `{"usageMetadata": {"promptTokenCount": "many"}}`} {
		for kind := kindGenerate; kind <= kindBatchEmbed; kind++ {
			op := llmhttp.Operation{Kind: kind}
			assert.NotPanics(t, func() {
				p.Request(op, []byte(body))
				p.Response(op, []byte(body))
				s := p.Stream(op, nil)
				s.Event("", []byte(body))
				s.Result()
				p.ErrorMessage(500, []byte(body))
			}, "%q", body)
		}
	}
	r := p.Response(llmhttp.Operation{Kind: kindGenerate}, []byte("<html>Bad Gateway</html>"))
	assert.Equal(t, "<html>Bad Gateway</html>", r.Output, "a body that is not JSON is recorded as text")
	req := p.Request(llmhttp.Operation{Kind: kindGenerate}, []byte(strings.Repeat("x", 2*maxRawText)))
	assert.Less(t, len(req.Input.(string)), maxRawText+32, "raw text is bounded")
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	p := provider{}
	assert.Equal(t, "PERMISSION_DENIED: Permission denied on resource project p.",
		p.ErrorMessage(403, []byte(`{"error":{"code":403,"message":"Permission denied on resource project p.","status":"PERMISSION_DENIED"}}`)))
	assert.Equal(t, "NOT_FOUND: models/x is not found.",
		p.ErrorMessage(404, []byte(` [{"error":{"code":404,"message":"models/x is not found.","status":"NOT_FOUND"}}]`)))
	assert.Equal(t, "only a message", p.ErrorMessage(500, []byte(`{"error":{"message":"only a message"}}`)))
	assert.Empty(t, p.ErrorMessage(502, []byte(`<html>Bad Gateway</html>`)))
	assert.Empty(t, p.ErrorMessage(500, []byte(`[]`)))
}

func TestRequestWithoutSystemInstruction(t *testing.T) {
	t.Parallel()
	r := provider{}.Request(llmhttp.Operation{Kind: kindGenerate},
		[]byte(`{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"labels":{"team":"a"},"cachedContent":"cachedContents/123"}`))
	assert.JSONEq(t, `[{"role":"user","parts":[{"text":"hi"}]}]`, encode(t, r.Input))
	assert.Equal(t, "cachedContents/123", r.Params["cachedContent"])
	assert.JSONEq(t, `{"team":"a"}`, encode(t, r.Metadata["labels"]))
}

func TestEmbedContentRequestAndResponse(t *testing.T) {
	t.Parallel()
	op := llmhttp.Operation{Kind: kindEmbed}
	r := provider{}.Request(op, []byte(`{"content":{"parts":[{"text":"embed me"}]},"taskType":"SEMANTIC_SIMILARITY","outputDimensionality":3,"autoTruncate":true}`))
	assert.JSONEq(t, `{"parts":[{"text":"embed me"}]}`, encode(t, r.Input))
	assert.Equal(t, map[string]any{"taskType": "SEMANTIC_SIMILARITY", "outputDimensionality": 3, "autoTruncate": true}, r.Params)
	res := provider{}.Response(op, []byte(`{"embedding":{"values":[0.1, -0.2, 3e-4]},"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3}}`))
	assert.Equal(t, map[string]any{"embeddings": 1, "dimensions": 3}, res.Output)
	assert.Equal(t, map[string]int{"input": 3, "total": 3}, res.Usage)
	empty := provider{}.Response(op, []byte(`{"embedding":{"values":[]}}`))
	assert.Equal(t, map[string]any{"embeddings": 1, "dimensions": 0}, empty.Output)
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func FuzzStream(f *testing.F) {
	f.Add([]byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"a"},{"functionCall":{"name":"f"}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1}}`))
	f.Add([]byte(`{"error":{"code":500}}`))
	f.Add([]byte(`{"promptFeedback":{"blockReason":"OTHER"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := provider{}
		s := p.Stream(llmhttp.Operation{Kind: kindStream}, nil)
		s.Event("", data)
		s.Event("", data)
		r := s.Result()
		for k, v := range r.Usage {
			if v < 0 {
				t.Fatalf("usage %s is negative: %d", k, v)
			}
		}
		if r.Output != nil {
			if _, err := json.Marshal(r.Output); err != nil {
				t.Fatalf("output does not encode: %v", err)
			}
		}
		p.Response(llmhttp.Operation{Kind: kindGenerate}, data)
		p.Request(llmhttp.Operation{Kind: kindGenerate}, data)

		// Past a spent budget a chunk is skimmed, not decoded, when that
		// reads the same: the usage and error a chunk that decodes gives
		// are those of its decode.
		if decode(data, &generateResponse{}) != nil {
			return
		}
		keep := llmhttp.NewBudget(1)
		keep.Append(nil, "spent")
		skimmed := p.Stream(llmhttp.Operation{Kind: kindStream}, keep)
		skimmed.Event("", data)
		decoded := p.Stream(llmhttp.Operation{Kind: kindStream}, nil)
		decoded.Event("", data)
		rs, rd := skimmed.Result(), decoded.Result()
		if !reflect.DeepEqual(rs.Usage, rd.Usage) || rs.Error != rd.Error {
			t.Fatalf("skimmed %v %q, decoded %v %q", rs.Usage, rs.Error, rd.Usage, rd.Error)
		}
	})
}

func TestInlineDataNote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"inlineData":{"mimeType":"audio/wav","data":"AA=="}}`, `{"inlineData":{"data":"[audio/wav, 1 bytes]","mimeType":"audio/wav"}}`},
		{`{"inline_data":{"mime_type":"image/jpeg","data":"AAA="}}`, `{"inline_data":{"data":"[image/jpeg, 2 bytes]","mime_type":"image/jpeg"}}`},
		{`[{"parts":[{"inlineData":{"data":"AAAA"}}]}]`, `[{"parts":[{"inlineData":{"data":"[inline data, 3 bytes]"}}]}]`},
		{`{"inlineData":"not an object"}`, `{"inlineData":"not an object"}`},
		{`{"text":"no media"}`, `{"text":"no media"}`},
		{`{"inlineData":`, `{"inlineData":`},
	} {
		got := withoutInlineData(json.RawMessage(tc.in))
		if raw, ok := got.(json.RawMessage); ok {
			assert.Equal(t, tc.want, string(raw))
			continue
		}
		assert.JSONEq(t, tc.want, encode(t, got), tc.in)
	}
}
