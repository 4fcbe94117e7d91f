package langfusegenai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

const (
	attrModel      = "langfuse.observation.model.name"
	attrParams     = "langfuse.observation.model.parameters"
	attrUsage      = "langfuse.observation.usage_details"
	attrType       = "langfuse.observation.type"
	attrCompletion = "langfuse.observation.completion_start_time"
)

// usageOf decodes the usage details of o.
func usageOf(t testing.TB, o langfusetest.Observation) map[string]int {
	t.Helper()
	var u map[string]int
	require.NoError(t, json.Unmarshal([]byte(o.Attr(attrUsage)), &u), "usage %q", o.Attr(attrUsage))
	return u
}

// paramsOf decodes the model parameters of o.
func paramsOf(t testing.TB, o langfusetest.Observation) map[string]any {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(o.Attr(attrParams)), &p), "parameters %q", o.Attr(attrParams))
	return p
}

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
		client func(testing.TB, *httptest.Server) *genai.Client
		path   string
	}{
		{"gemini api", geminiClient, "/v1beta/models/gemini-2.5-flash:generateContent"},
		{"vertex ai", vertexClient, "/v1beta1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			var gotPath, gotKey string
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotKey = r.URL.Path, r.Header.Get("x-goog-api-key")
				writeJSON(w, 200, answerJSON)
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

			g := find(t, rec, "genai.generateContent")
			assert.Equal(t, "generation", g.Type)
			assert.Equal(t, parent.ID(), g.ParentID)
			assert.Equal(t, "gemini-2.5-flash-001", g.Attr(attrModel), "the response's model version wins")
			assert.Empty(t, g.Level)
			assert.Equal(t, map[string]int{
				"input": 8, "input_cached_tokens": 4, "output": 7, "output_reasoning": 6, "total": 25,
			}, usageOf(t, g))

			p := paramsOf(t, g)
			assert.InDelta(t, 0.25, p["temperature"], 1e-6)
			assert.InDelta(t, 0.9, p["topP"], 1e-6)
			assert.EqualValues(t, 40, p["topK"])
			assert.EqualValues(t, 256, p["maxOutputTokens"])
			assert.EqualValues(t, 7, p["seed"])
			assert.Equal(t, []any{"END"}, p["stopSequences"])
			assert.Equal(t, "text/plain", p["responseMimeType"])
			assert.Equal(t, map[string]any{"thinkingBudget": float64(128)}, p["thinkingConfig"])
			assert.Contains(t, fmt.Sprint(p["safetySettings"]), "HARM_CATEGORY_HARASSMENT")
			assert.NotContains(t, g.Attr(attrParams), "capital", "the messages are not parameters")

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
			assertNoSecret(t, rec, apiKey)
		})
	}
}

func geminiClient(t testing.TB, srv *httptest.Server) *genai.Client { return newClient(t, srv) }
func vertexClient(t testing.TB, srv *httptest.Server) *genai.Client { return newVertexClient(t, srv) }

func TestModelFromTheURLWhenTheResponseNamesNone(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}]}`)
	})
	_, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.0-flash", genai.Text("hi"), nil)
	require.NoError(t, err)
	g := find(t, rec, "genai.generateContent")
	assert.Equal(t, "gemini-2.0-flash", g.Attr(attrModel))
	assert.Empty(t, g.Attr(attrUsage), "no usage is recorded when the response has none")
}

func TestGenerateContentToolCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, toolCallJSON) })
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

	g := find(t, rec, "genai.generateContent")
	p := paramsOf(t, g)
	assert.Contains(t, fmt.Sprint(p["tools"]), "get_weather")
	assert.Contains(t, fmt.Sprint(p["tools"]), "get_time")
	assert.Equal(t, map[string]any{"functionCallingConfig": map[string]any{"mode": "ANY"}}, p["toolConfig"])
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{
		map[string]any{"functionCall": map[string]any{"name": "get_weather", "args": map[string]any{"city": "Paris"}}},
		map[string]any{"functionCall": map[string]any{"name": "get_time", "args": map[string]any{"zone": "Europe/Paris"}}},
	}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 30, "output": 18, "total": 48}, usageOf(t, g))
}

func TestStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var gotQuery string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		writeSSE(w, streamChunks...)
	})
	client := newClient(t, srv)
	ctx, parent := observe.Start(ctx, "ask")
	start := time.Now()
	var texts []string
	for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why is the sky blue?"),
		&genai.GenerateContentConfig{Temperature: genai.Ptr[float32](0.5)}) {
		require.NoError(t, err)
		texts = append(texts, resp.Text())
	}
	end := time.Now()
	parent.End()
	assert.Equal(t, "alt=sse", gotQuery)
	assert.Equal(t, []string{"The sky", " is blue", " by day."}, texts, "the SDK reads every chunk as sent")

	g := find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "generation", g.Type)
	assert.Equal(t, parent.ID(), g.ParentID)
	assert.Empty(t, g.Level)
	assert.Equal(t, "gemini-2.5-flash-001", g.Attr(attrModel))
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{map[string]any{"text": "The sky is blue by day."}}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 9, "output": 5, "total": 14}, usageOf(t, g), "usage of the last chunk")
	assert.InDelta(t, 0.5, paramsOf(t, g)["temperature"], 1e-6)
	assert.Equal(t, "STOP", g.Metadata["finish_reason"].AsString())
	assert.Equal(t, "resp-stream", g.Metadata["response_id"].AsString())

	var first time.Time
	require.NoError(t, json.Unmarshal([]byte(g.Attr(attrCompletion)), &first), g.Attr(attrCompletion))
	assert.False(t, first.Before(start.Truncate(time.Millisecond)), "first chunk %v before the call %v", first, start)
	assert.False(t, first.After(end), "first chunk %v after the end %v", first, end)
	assert.False(t, first.Before(g.Span.StartTime().Truncate(time.Millisecond)))
	assert.False(t, first.After(g.Span.EndTime()))
	assertNoSecret(t, rec, apiKey)
}

// TestStreamBytesPassThrough reads the streamed body through the
// transport as the SDK would and compares it byte for byte.
func TestStreamBytesPassThrough(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeSSE(w, streamChunks...) })
	hc := &http.Client{Transport: newTransport()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		srv.URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
		strings.NewReader(`{"contents":[{"role":"user","parts":[{"text":"Why?"}]}]}`))
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, sseBody(streamChunks...), string(body))
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Contains(t, g.Output, "The sky is blue by day.")
}

func TestStreamToolCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeSSE(w, streamToolChunks...) })
	var calls []string
	for resp, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Weather?"), nil) {
		require.NoError(t, err)
		for _, c := range resp.FunctionCalls() {
			calls = append(calls, c.Name)
		}
	}
	assert.Equal(t, []string{"get_weather", "get_time"}, calls)

	g := find(t, rec, "genai.streamGenerateContent")
	assert.Empty(t, g.Level)
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{
		map[string]any{"text": "Checking."},
		map[string]any{"functionCall": map[string]any{"name": "get_weather", "args": map[string]any{"city": "Paris"}}},
		map[string]any{"functionCall": map[string]any{"name": "get_time", "args": map[string]any{"zone": "CET"}}},
	}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 20, "output": 11, "total": 31}, usageOf(t, g))
}

func TestStreamThoughtsApartFromTheAnswer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"Light scatters","thought":true}]}}]}`,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":" more at short wavelengths.","thought":true}]}}]}`,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"Rayleigh "}]}}]}`,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"scattering."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3,"thoughtsTokenCount":9,"totalTokenCount":17}}`)
	})
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-pro", genai.Text("Why?"), nil) {
		require.NoError(t, err)
	}
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{
		map[string]any{"text": "Light scatters more at short wavelengths.", "thought": true},
		map[string]any{"text": "Rayleigh scattering."},
	}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 5, "output": 3, "output_reasoning": 9, "total": 17}, usageOf(t, g))
	assert.Equal(t, "gemini-2.5-pro", g.Attr(attrModel))
}

func TestAPIError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		code    string
		message string
	}{
		{400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified"},
		{401, "UNAUTHENTICATED", "API key not valid. Please pass a valid API key."},
		{500, "INTERNAL", "An internal error has occurred."},
	} {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			body := fmt.Sprintf(`{"error": {"code": %d, "message": %q, "status": %q}}`, tc.status, tc.message, tc.code)
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tc.status, body) })
			_, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("hi"), nil)
			var apiErr genai.APIError
			require.ErrorAs(t, err, &apiErr, "the SDK reads its own error from the body")
			assert.Equal(t, tc.status, apiErr.Code)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.code, apiErr.Status)

			g := find(t, rec, "genai.generateContent")
			assert.True(t, g.Failed())
			assert.Equal(t, "ERROR", g.Level)
			assert.Contains(t, g.StatusMessage, tc.message)
			assert.Contains(t, g.StatusMessage, tc.code)
			assert.Contains(t, g.StatusMessage, fmt.Sprint(tc.status))
			assert.Equal(t, "gemini-2.5-flash", g.Attr(attrModel))
			assertNoSecret(t, rec, apiKey)
		})
	}
}

func TestStreamAPIError(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `[{"error": {"code": 400, "message": "Invalid JSON payload received.", "status": "INVALID_ARGUMENT"}}]`)
	})
	var gotErr error
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("hi"), nil) {
		gotErr = err
	}
	require.Error(t, gotErr)
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Contains(t, g.StatusMessage, "INVALID_ARGUMENT: Invalid JSON payload received.")
}

func TestErrorInsideAStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks[0], `{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}`)
	})
	var errs []error
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("hi"), nil) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.NotEmpty(t, errs)
	var apiErr genai.APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, "The model is overloaded.", apiErr.Message)
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "UNAVAILABLE: The model is overloaded.", g.StatusMessage)
	assert.Contains(t, g.Output, "The sky", "what arrived before the error is kept")
}

func TestPromptBlocked(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}]},
 "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8}, "modelVersion": "gemini-2.5-flash-001", "responseId": "resp-blocked"}`)
	})
	resp, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("something dangerous"), nil)
	require.NoError(t, err, "a blocked prompt is an answer, not an error, to the SDK")
	assert.Equal(t, genai.BlockedReasonSafety, resp.PromptFeedback.BlockReason)
	g := find(t, rec, "genai.generateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "prompt blocked: SAFETY", g.StatusMessage)
	assert.Equal(t, "SAFETY", g.Metadata["block_reason"].AsString())
	assert.Equal(t, map[string]int{"input": 8, "total": 8}, usageOf(t, g))
}

// TestRateLimitThenSuccess: each HTTP attempt is a call of its own, so a
// 429 answered by the SDK's retry gives two generations: the failed one at
// level ERROR and the answered one.
func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var mu sync.Mutex
	calls := 0
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}}`)
			return
		}
		writeJSON(w, 200, answerJSON)
	})
	client, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey:     apiKey,
		Backend:    genai.BackendGeminiAPI,
		HTTPClient: &http.Client{Transport: newTransport()},
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL, RetryOptions: &genai.HTTPRetryOptions{
			Attempts: genai.Ptr[int32](2), InitialDelay: genai.Ptr(0.0), Jitter: genai.Ptr(0.0),
		}},
	})
	require.NoError(t, err)
	ctx, parent := observe.Start(ctx, "ask")
	resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("What is the capital of France?"), nil)
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "Paris is the capital of France.", resp.Text())
	assert.Equal(t, 2, calls)

	gens := named(rec, "genai.generateContent")
	require.Len(t, gens, 2)
	assert.Equal(t, "ERROR", gens[0].Level)
	assert.Contains(t, gens[0].StatusMessage, "RESOURCE_EXHAUSTED")
	assert.Empty(t, gens[1].Level)
	assert.Equal(t, "gemini-2.5-flash-001", gens[1].Attr(attrModel))
	for _, g := range gens {
		assert.Equal(t, parent.ID(), g.ParentID)
		assert.Contains(t, g.Input, "capital of France", "the retried request's body is read again")
	}
}

func TestStreamAbandonedByTheConsumer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks[0])
		<-r.Context().Done() // the rest never comes: the client goes away first
	})
	n := 0
	for resp, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		require.NoError(t, err)
		assert.Equal(t, "The sky", resp.Text())
		n++
		break
	}
	require.Equal(t, 1, n)
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "WARNING", g.Level)
	assert.Contains(t, g.StatusMessage, "closed by the caller")
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{map[string]any{"text": "The sky"}}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 9, "total": 9}, usageOf(t, g), "the usage seen so far")
}

func TestStreamClosedAfterItsLastChunk(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks...)
		<-r.Context().Done() // the server holds the connection open after the end
	})
	for resp, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		require.NoError(t, err)
		if len(resp.Candidates) > 0 && resp.Candidates[0].FinishReason != "" {
			break
		}
	}
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Empty(t, g.Level, "a stream closed after its finish reason is whole")
	assert.Contains(t, g.Output, "The sky is blue by day.")
}

func TestStreamCutByTheServer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks[:2]...)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close() // mid-stream: the chunked body never ends
		}
	})
	var errs []error
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.NotEmpty(t, errs, "the SDK sees the connection fail")
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Contains(t, g.StatusMessage, "reading the response")
	assert.Contains(t, g.Output, "The sky is blue")
}

func TestStreamEndedWithoutItsLastChunk(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks[:2]...) // and returns: a clean end with no finish reason
	})
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		require.NoError(t, err)
	}
	g := find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "WARNING", g.Level)
	assert.Contains(t, g.StatusMessage, "before its last event")
	assert.Contains(t, g.Output, "The sky is blue")
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Contents []struct {
				Parts []struct {
					Text string `json:"text"`
				} `json:"parts"`
			} `json:"contents"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Contents) == 0 || len(req.Contents[0].Parts) == 0 {
			writeJSON(w, 400, `{"error":{"code":400,"message":"bad request","status":"INVALID_ARGUMENT"}}`)
			return
		}
		echo, _ := json.Marshal("echo: " + req.Contents[0].Parts[0].Text)
		chunk := fmt.Sprintf(`{"candidates":[{"content":{"role":"model","parts":[{"text":%s}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}`, echo)
		if strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
			writeSSE(w, chunk)
			return
		}
		writeJSON(w, 200, chunk)
	})
	client := newClient(t, srv)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, o := observe.Start(ctx, fmt.Sprintf("worker-%d", i))
			defer o.End()
			prompt := fmt.Sprintf("prompt %d", i)
			if i%2 == 0 {
				_, errs[i] = client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text(prompt), nil)
				return
			}
			for _, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text(prompt), nil) {
				if err != nil {
					errs[i] = err
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
	parents := map[string]string{}
	for _, o := range rec.Observations() {
		if strings.HasPrefix(o.Name, "worker-") {
			parents[o.ID] = strings.TrimPrefix(o.Name, "worker-")
		}
	}
	seen := 0
	for _, o := range rec.Observations() {
		if !strings.HasPrefix(o.Name, "genai.") {
			continue
		}
		seen++
		i, ok := parents[o.ParentID]
		require.True(t, ok, "%s has a worker as parent", o.Name)
		assert.Contains(t, o.Input, "prompt "+i)
		assert.Contains(t, o.Output, "echo: prompt "+i)
		assert.Equal(t, map[string]int{"input": 3, "output": 2, "total": 5}, usageOf(t, o))
	}
	assert.Equal(t, n, seen)
}

func TestTracingDisabledPassesThrough(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ctx  func(t *testing.T) (context.Context, *langfusetest.Recorder)
	}{
		{"no client in the context", func(t *testing.T) (context.Context, *langfusetest.Recorder) {
			_, rec := langfusetest.New(t)
			return context.Background(), rec
		}},
		{"client with tracing disabled", disabledClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := tc.ctx(t)
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
					writeSSE(w, streamChunks...)
					return
				}
				writeJSON(w, 200, answerJSON)
			})
			client := newClient(t, srv)
			resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("hi"), nil)
			require.NoError(t, err)
			assert.Equal(t, "Paris is the capital of France.", resp.Text())
			var texts []string
			for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("hi"), nil) {
				require.NoError(t, err)
				texts = append(texts, resp.Text())
			}
			assert.Equal(t, []string{"The sky", " is blue", " by day."}, texts)
			assert.Empty(t, rec.Spans())
		})
	}
}

func TestCaptureSwitchesFromOptions(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
			writeSSE(w, streamChunks...)
			return
		}
		writeJSON(w, 200, answerJSON)
	})
	client := newClient(t, srv, observe.CaptureInput(false), observe.CaptureOutput(false),
		observe.WithMetadata(map[string]any{"team": "search"}))
	_, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("secret question"), generateConfig())
	require.NoError(t, err)
	for _, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("secret question"), nil) {
		require.NoError(t, err)
	}
	for _, name := range []string{"genai.generateContent", "genai.streamGenerateContent"} {
		g := find(t, rec, name)
		assert.Empty(t, g.Input, name)
		assert.Empty(t, g.Output, name)
		assert.Equal(t, "gemini-2.5-flash-001", g.Attr(attrModel), name)
		assert.NotEmpty(t, usageOf(t, g), name)
		assert.Equal(t, "search", g.Metadata["team"].AsString(), name)
		for _, s := range rec.Spans() {
			for _, a := range s.Attributes() {
				assert.NotContains(t, a.Value.Emit(), "secret question")
			}
		}
	}
}

// TestAPIKeyInTheQueryIsNeverRecorded sends the key as the key= query
// parameter, the other way the Gemini API takes it.
func TestAPIKeyInTheQueryIsNeverRecorded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	const secret = "AIzaSy-query-secret"
	var gotKey string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotKey = r.URL.Query().Get("key")
		writeSSE(w, streamChunks...)
	})
	hc := &http.Client{Transport: newTransport()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		srv.URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key="+secret,
		strings.NewReader(`{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`))
	require.NoError(t, err)
	req.Header.Set("x-goog-api-key", secret)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, secret, gotKey)
	require.NotEmpty(t, rec.Spans())
	assertNoSecret(t, rec, secret)
}

func TestCountTokensIsNotAModelCall(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var gotPath string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		writeJSON(w, 200, `{"totalTokens": 31, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 31}]}`)
	})
	resp, err := newClient(t, srv).Models.CountTokens(ctx, "gemini-2.5-flash", genai.Text("count me"), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 31, resp.TotalTokens)
	assert.Equal(t, "/v1beta/models/gemini-2.5-flash:countTokens", gotPath)
	assert.Empty(t, rec.Spans())
}

func TestEmbedContent(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var gotPath string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		writeJSON(w, 200, `{"embeddings": [{"values": [0.0123, -0.0456, 0.0789, 0.31415]}, {"values": [0.5, 0.25, -0.125, 0.271828]}]}`)
	})
	resp, err := newClient(t, srv).Models.EmbedContent(ctx, "gemini-embedding-001",
		[]*genai.Content{genai.NewContentFromText("first text", genai.RoleUser), genai.NewContentFromText("second text", genai.RoleUser)},
		&genai.EmbedContentConfig{TaskType: "RETRIEVAL_DOCUMENT", OutputDimensionality: genai.Ptr[int32](4)})
	require.NoError(t, err)
	require.Len(t, resp.Embeddings, 2)
	assert.Equal(t, "/v1beta/models/gemini-embedding-001:batchEmbedContents", gotPath)

	e := find(t, rec, "genai.embedContent")
	assert.Equal(t, "embedding", e.Type)
	assert.Equal(t, "gemini-embedding-001", e.Attr(attrModel))
	assert.Contains(t, e.Input, "first text")
	assert.Contains(t, e.Input, "second text")
	assert.JSONEq(t, `{"embeddings": 2, "dimensions": 4}`, e.Output)
	p := paramsOf(t, e)
	assert.Equal(t, "RETRIEVAL_DOCUMENT", p["taskType"])
	assert.EqualValues(t, 4, p["outputDimensionality"])
	for _, s := range rec.Spans() {
		for _, a := range s.Attributes() {
			assert.NotContains(t, a.Value.Emit(), "0.31415", "vectors are never recorded")
		}
	}
}

// TestStreamAsAJSONArray: without alt=sse, streamGenerateContent answers
// a JSON array of responses, recorded whole at its end.
func TestStreamAsAJSONArray(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	body := "[" + strings.Join(streamChunks, ",\r\n") + "]"
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
	hc := &http.Client{Transport: newTransport()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		srv.URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent",
		strings.NewReader(`{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}`))
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, body, string(got))

	g := find(t, rec, "genai.streamGenerateContent")
	assert.Empty(t, g.Level)
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{map[string]any{"text": "The sky is blue by day."}}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 9, "output": 5, "total": 14}, usageOf(t, g))
	assert.Equal(t, "gemini-2.5-flash-001", g.Attr(attrModel))
}
