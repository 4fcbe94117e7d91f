package langfusegenai_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

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
			srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { llmtest.WriteJSON(w, tc.status, body) })
			_, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("hi"), nil)
			var apiErr genai.APIError
			require.ErrorAs(t, err, &apiErr, "the SDK reads its own error from the body")
			assert.Equal(t, tc.status, apiErr.Code)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.code, apiErr.Status)

			g := llmtest.Find(t, rec, "genai.generateContent")
			assert.True(t, g.Failed())
			assert.Equal(t, "ERROR", g.Level)
			assert.Contains(t, g.StatusMessage, tc.message)
			assert.Contains(t, g.StatusMessage, tc.code)
			assert.Contains(t, g.StatusMessage, fmt.Sprint(tc.status))
			assert.Equal(t, "gemini-2.5-flash", g.Attr(semconv.ObservationModel))
			llmtest.AssertNoSecret(t, rec, apiKey)
		})
	}
}

func TestStreamAPIError(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		llmtest.WriteJSON(w, 400, `[{"error": {"code": 400, "message": "Invalid JSON payload received.", "status": "INVALID_ARGUMENT"}}]`)
	})
	var gotErr error
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("hi"), nil) {
		gotErr = err
	}
	require.Error(t, gotErr)
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Contains(t, g.StatusMessage, "INVALID_ARGUMENT: Invalid JSON payload received.")
}

func TestErrorInsideAStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
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
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "UNAVAILABLE: The model is overloaded.", g.StatusMessage)
	assert.Contains(t, g.Output, "The sky", "what arrived before the error is kept")
}

func TestPromptBlocked(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		llmtest.WriteJSON(w, 200, `{"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}]},
 "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8}, "modelVersion": "gemini-2.5-flash-001", "responseId": "resp-blocked"}`)
	})
	resp, err := newClient(t, srv).Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("something dangerous"), nil)
	require.NoError(t, err, "a blocked prompt is an answer, not an error, to the SDK")
	assert.Equal(t, genai.BlockedReasonSafety, resp.PromptFeedback.BlockReason)
	g := llmtest.Find(t, rec, "genai.generateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "prompt blocked: SAFETY", g.StatusMessage)
	assert.Equal(t, "SAFETY", g.Metadata["block_reason"].AsString())
	assert.Equal(t, map[string]int{"input": 8, "total": 8}, llmtest.UsageOf(t, g))
}

// TestRateLimitThenSuccess: each HTTP attempt is a call of its own, so a
// 429 answered by the SDK's retry gives two generations: the failed one at
// level ERROR and the answered one.
func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var mu sync.Mutex
	calls := 0
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			llmtest.WriteJSON(w, 429, `{"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}}`)
			return
		}
		llmtest.WriteJSON(w, 200, answerJSON)
	})
	client, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey:     apiKey,
		Backend:    genai.BackendGeminiAPI,
		HTTPClient: &http.Client{Transport: langfusegenai.NewTransport(nil)},
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

	gens := llmtest.Named(rec, "genai.generateContent")
	require.Len(t, gens, 2)
	assert.Equal(t, "ERROR", gens[0].Level)
	assert.Contains(t, gens[0].StatusMessage, "RESOURCE_EXHAUSTED")
	assert.Empty(t, gens[1].Level)
	assert.Equal(t, "gemini-2.5-flash-001", gens[1].Attr(semconv.ObservationModel))
	for _, g := range gens {
		assert.Equal(t, parent.ID(), g.ParentID)
		assert.Contains(t, g.Input, "capital of France", "the retried request's body is read again")
	}
}
