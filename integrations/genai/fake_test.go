package langfusegenai_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

// apiKey is the key the test clients send; no recorded attribute may hold
// it.
const apiKey = "test-secret-key"

// Fixtures shaped as the Gemini API reference shows them.
const (
	// answerJSON is a whole GenerateContentResponse of a thinking model
	// that read part of its prompt from the cache.
	answerJSON = `{
  "candidates": [{
    "content": {"parts": [{"text": "Paris is the capital of France."}], "role": "model"},
    "finishReason": "STOP",
    "index": 0,
    "avgLogprobs": -0.051
  }],
  "usageMetadata": {
    "promptTokenCount": 12,
    "candidatesTokenCount": 7,
    "totalTokenCount": 25,
    "cachedContentTokenCount": 4,
    "thoughtsTokenCount": 6,
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}]
  },
  "modelVersion": "gemini-2.5-flash-001",
  "responseId": "resp-7d1f"
}`

	// toolCallJSON is a whole answer that calls two functions.
	toolCallJSON = `{
  "candidates": [{
    "content": {"role": "model", "parts": [
      {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
      {"functionCall": {"name": "get_time", "args": {"zone": "Europe/Paris"}}}
    ]},
    "finishReason": "STOP",
    "index": 0
  }],
  "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 18, "totalTokenCount": 48},
  "modelVersion": "gemini-2.5-flash-001",
  "responseId": "resp-tools"
}`
)

// streamChunks is a streamed answer: text in three chunks, usage complete
// in the last, which carries the finish reason.
var streamChunks = []string{
	`{"candidates": [{"content": {"parts": [{"text": "The sky"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash-001","responseId": "resp-stream"}`,
	`{"candidates": [{"content": {"parts": [{"text": " is blue"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash-001","responseId": "resp-stream"}`,
	`{"candidates": [{"content": {"parts": [{"text": " by day."}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 5,"totalTokenCount": 14},"modelVersion": "gemini-2.5-flash-001","responseId": "resp-stream"}`,
}

// streamToolChunks is a streamed answer that says a word, then calls two
// functions, each whole in its own chunk, as Gemini streams calls.
var streamToolChunks = []string{
	`{"candidates": [{"content": {"parts": [{"text": "Checking."}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash-001"}`,
	`{"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather","args": {"city": "Paris"}}}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash-001"}`,
	`{"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_time","args": {"zone": "CET"}}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 20,"candidatesTokenCount": 11,"totalTokenCount": 31},"modelVersion": "gemini-2.5-flash-001"}`,
}

// writeSSE sends chunks as the Gemini API streams with alt=sse, each event
// flushed on its own.
func writeSSE(w http.ResponseWriter, chunks ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, c := range chunks {
		_, _ = fmt.Fprintf(w, "data: %s\r\n\r\n", c)
		w.(http.Flusher).Flush()
	}
}

// sseBody is the exact body writeSSE sends.
func sseBody(chunks ...string) string {
	var b strings.Builder
	for _, c := range chunks {
		fmt.Fprintf(&b, "data: %s\r\n\r\n", c)
	}
	return b.String()
}

// newClient returns a Gemini API client of srv that sends through the
// transport made with opts.
func newClient(t testing.TB, srv *llmtest.FakeAPI, opts ...langfusegenai.Option) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey:      apiKey,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  &http.Client{Transport: langfusegenai.NewTransport(nil, opts...)},
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
	})
	require.NoError(t, err)
	return c
}

// newVertexClient returns a Vertex AI client of srv for a project and
// location. Given an HTTP client it needs no Google credentials.
func newVertexClient(t testing.TB, srv *llmtest.FakeAPI, opts ...langfusegenai.Option) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		Backend:     genai.BackendVertexAI,
		Project:     "my-project",
		Location:    "us-central1",
		HTTPClient:  &http.Client{Transport: langfusegenai.NewTransport(nil, opts...)},
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
	})
	require.NoError(t, err)
	return c
}
