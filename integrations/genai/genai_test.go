package langfusegenai_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// outputOf decodes the output of o as one content.
func outputOf(t testing.TB, o langfusetest.Observation) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(o.Output), &out), "output %q", o.Output)
	return out
}

func generateConfig() *genai.GenerateContentConfig {
	return &genai.GenerateContentConfig{
		SystemInstruction: genai.NewContentFromText("Answer in one sentence.", genai.RoleUser),
		Temperature:       genai.Ptr[float32](0.25),
		TopP:              genai.Ptr[float32](0.9),
		TopK:              genai.Ptr[float32](40),
		MaxOutputTokens:   256,
		StopSequences:     []string{"END"},
		Seed:              genai.Ptr[int32](7),
		ResponseMIMEType:  "text/plain",
		ThinkingConfig:    &genai.ThinkingConfig{ThinkingBudget: genai.Ptr[int32](128)},
		SafetySettings: []*genai.SafetySetting{{
			Category: genai.HarmCategoryHarassment, Threshold: genai.HarmBlockThresholdBlockOnlyHigh,
		}},
	}
}

func TestGenerateContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		client func(testing.TB, *llmtest.FakeAPI) *genai.Client
		path   string
	}{
		{"gemini api", geminiClient, "/v1beta/models/gemini-2.5-flash:generateContent"},
		{"vertex ai", vertexClient, "/v1beta1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			var gotPath, gotKey string
			srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotKey = r.URL.Path, r.Header.Get("x-goog-api-key")
				llmtest.WriteJSON(w, 200, answerJSON)
			})
			client := tc.client(t, srv)
			ctx, parent := observe.Start(ctx, "ask")
			resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash",
				genai.Text("What is the capital of France?"), generateConfig())
			parent.End()
			require.NoError(t, err)
			assert.Equal(t, tc.path, gotPath)
			assert.Equal(t, "Paris is the capital of France.", resp.Text(), "the SDK reads the answer as sent")
			assert.Equal(t, "resp-7d1f", resp.ResponseID)
			if tc.name == "gemini api" {
				assert.Equal(t, apiKey, gotKey)
			}

			g := llmtest.Find(t, rec, "genai.generateContent")
			assert.Equal(t, "generation", g.Type)
			assert.Equal(t, parent.ID(), g.ParentID)
			assert.Equal(t, "gemini-2.5-flash-001", g.Attr(semconv.ObservationModel), "the response's model version wins")
			assert.Empty(t, g.Level)
			assert.Equal(t, map[string]int{
				"input": 8, "input_cached_tokens": 4, "output": 7, "output_reasoning": 6, "total": 25,
			}, llmtest.UsageOf(t, g))

			p := llmtest.ParamsOf(t, g)
			assert.InDelta(t, 0.25, p["temperature"], 1e-6)
			assert.InDelta(t, 0.9, p["topP"], 1e-6)
			assert.EqualValues(t, 40, p["topK"])
			assert.EqualValues(t, 256, p["maxOutputTokens"])
			assert.EqualValues(t, 7, p["seed"])
			assert.Equal(t, []any{"END"}, p["stopSequences"])
			assert.Equal(t, "text/plain", p["responseMimeType"])
			assert.Equal(t, map[string]any{"thinkingBudget": float64(128)}, p["thinkingConfig"])
			assert.Contains(t, fmt.Sprint(p["safetySettings"]), "HARM_CATEGORY_HARASSMENT")
			assert.NotContains(t, g.Attr(semconv.ObservationModelParameters), "capital", "the messages are not parameters")

			var in []map[string]any
			require.NoError(t, json.Unmarshal([]byte(g.Input), &in), g.Input)
			require.Len(t, in, 2)
			assert.Equal(t, "system", in[0]["role"])
			assert.Equal(t, []any{map[string]any{"text": "Answer in one sentence."}}, in[0]["parts"])
			assert.Equal(t, "user", in[1]["role"])
			assert.Equal(t, []any{map[string]any{"text": "What is the capital of France?"}}, in[1]["parts"])

			assert.Equal(t, map[string]any{
				"role":  "model",
				"parts": []any{map[string]any{"text": "Paris is the capital of France."}},
			}, outputOf(t, g))
			assert.Equal(t, "STOP", g.Metadata["finish_reason"].AsString())
			assert.Equal(t, "resp-7d1f", g.Metadata["response_id"].AsString())
			llmtest.AssertNoSecret(t, rec, apiKey)
		})
	}
}

func geminiClient(t testing.TB, srv *llmtest.FakeAPI) *genai.Client { return newClient(t, srv) }
func vertexClient(t testing.TB, srv *llmtest.FakeAPI) *genai.Client { return newVertexClient(t, srv) }

func TestModelFromTheURLWhenTheResponseNamesNone(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		llmtest.WriteJSON(w, 200, `{"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}]}`)
	})
	_, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.0-flash", genai.Text("hi"), nil)
	require.NoError(t, err)
	g := llmtest.Find(t, rec, "genai.generateContent")
	assert.Equal(t, "gemini-2.0-flash", g.Attr(semconv.ObservationModel))
	assert.Empty(t, g.Attr(semconv.ObservationUsageDetails), "no usage is recorded when the response has none")
}

func TestGenerateContentToolCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { llmtest.WriteJSON(w, 200, toolCallJSON) })
	cfg := &genai.GenerateContentConfig{
		Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{
			{Name: "get_weather", Description: "Weather of a city",
				Parameters: &genai.Schema{Type: genai.TypeObject, Properties: map[string]*genai.Schema{"city": {Type: genai.TypeString}}}},
			{Name: "get_time", Description: "Time in a zone"},
		}}},
		ToolConfig: &genai.ToolConfig{FunctionCallingConfig: &genai.FunctionCallingConfig{Mode: genai.FunctionCallingConfigModeAny}},
	}
	resp, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Weather and time in Paris?"), cfg)
	require.NoError(t, err)
	calls := resp.FunctionCalls()
	require.Len(t, calls, 2)
	assert.Equal(t, "get_weather", calls[0].Name)

	g := llmtest.Find(t, rec, "genai.generateContent")
	p := llmtest.ParamsOf(t, g)
	assert.Contains(t, fmt.Sprint(p["tools"]), "get_weather")
	assert.Contains(t, fmt.Sprint(p["tools"]), "get_time")
	assert.Equal(t, map[string]any{"functionCallingConfig": map[string]any{"mode": "ANY"}}, p["toolConfig"])
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{
		map[string]any{"functionCall": map[string]any{"name": "get_weather", "args": map[string]any{"city": "Paris"}}},
		map[string]any{"functionCall": map[string]any{"name": "get_time", "args": map[string]any{"zone": "Europe/Paris"}}},
	}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 30, "output": 18, "total": 48}, llmtest.UsageOf(t, g))
}

func TestEmbedContent(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var gotPath string
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		llmtest.WriteJSON(w, 200, `{"embeddings": [{"values": [0.0123, -0.0456, 0.0789, 0.31415]}, {"values": [0.5, 0.25, -0.125, 0.271828]}]}`)
	})
	resp, err := newClient(t, srv).Models.EmbedContent(ctx, "gemini-embedding-001",
		[]*genai.Content{genai.NewContentFromText("first text", genai.RoleUser), genai.NewContentFromText("second text", genai.RoleUser)},
		&genai.EmbedContentConfig{TaskType: "RETRIEVAL_DOCUMENT", OutputDimensionality: genai.Ptr[int32](4)})
	require.NoError(t, err)
	require.Len(t, resp.Embeddings, 2)
	assert.Equal(t, "/v1beta/models/gemini-embedding-001:batchEmbedContents", gotPath)

	e := llmtest.Find(t, rec, "genai.embedContent")
	assert.Equal(t, "embedding", e.Type)
	assert.Equal(t, "gemini-embedding-001", e.Attr(semconv.ObservationModel))
	assert.Contains(t, e.Input, "first text")
	assert.Contains(t, e.Input, "second text")
	assert.JSONEq(t, `{"embeddings": 2, "dimensions": 4}`, e.Output)
	p := llmtest.ParamsOf(t, e)
	assert.Equal(t, "RETRIEVAL_DOCUMENT", p["taskType"])
	assert.EqualValues(t, 4, p["outputDimensionality"])
	for _, s := range rec.Spans() {
		for _, a := range s.Attributes() {
			assert.NotContains(t, a.Value.String(), "0.31415", "vectors are never recorded")
		}
	}
}

// TestInlineMediaIsRecordedByItsSize: base64 images in the request and
// the answer are recorded as their type and size, the text beside them
// as it is.
func TestInlineMediaIsRecordedByItsSize(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	image := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 1000) // 4000 bytes
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		out := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1, 2, 3, 4, 5}, 101)) // 505 bytes
		llmtest.WriteJSON(w, 200, `{"candidates":[{"content":{"role":"model","parts":[{"text":"Here is a sketch."},{"inlineData":{"mimeType":"image/png","data":"`+out+`"}}]},"finishReason":"STOP"}]}`)
	})
	contents := []*genai.Content{genai.NewContentFromParts([]*genai.Part{
		genai.NewPartFromText("Draw this again."),
		genai.NewPartFromBytes(image, "image/png"),
	}, genai.RoleUser)}
	resp, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.5-flash-image", contents, nil)
	require.NoError(t, err)
	require.Len(t, resp.Candidates[0].Content.Parts, 2)
	assert.Len(t, resp.Candidates[0].Content.Parts[1].InlineData.Data, 505, "the SDK gets the image whole")

	g := llmtest.Find(t, rec, "genai.generateContent")
	assert.Contains(t, g.Input, "Draw this again.")
	assert.Contains(t, g.Input, `"data":"[image/png, 4000 bytes]"`)
	assert.NotContains(t, g.Input, base64.StdEncoding.EncodeToString(image[:12]))
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{
		map[string]any{"text": "Here is a sketch."},
		map[string]any{"inlineData": map[string]any{"mimeType": "image/png", "data": "[image/png, 505 bytes]"}},
	}}, outputOf(t, g))
}
