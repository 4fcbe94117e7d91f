package langfusegenai_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/langfusetest"
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

// serve starts a fake API on 127.0.0.1 that answers with h.
func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
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
func newClient(t testing.TB, srv *httptest.Server, opts ...langfusegenai.Option) *genai.Client {
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
func newVertexClient(t testing.TB, srv *httptest.Server, opts ...langfusegenai.Option) *genai.Client {
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

// find returns the one observation called name.
func find(t testing.TB, rec *langfusetest.Recorder, name string) langfusetest.Observation {
	t.Helper()
	var found []langfusetest.Observation
	for _, o := range rec.Observations() {
		if o.Name == name {
			found = append(found, o)
		}
	}
	require.Len(t, found, 1, "observations called %q", name)
	return found[0]
}

// named returns the observations called name, in the order they ended.
func named(rec *langfusetest.Recorder, name string) []langfusetest.Observation {
	var found []langfusetest.Observation
	for _, o := range rec.Observations() {
		if o.Name == name {
			found = append(found, o)
		}
	}
	return found
}

// assertNoSecret checks that no attribute or event of any recorded span
// holds the API key.
func assertNoSecret(t testing.TB, rec *langfusetest.Recorder, secret string) {
	t.Helper()
	for _, s := range rec.Spans() {
		for _, a := range s.Attributes() {
			assert.NotContains(t, a.Value.String(), secret, "attribute %s of %s", a.Key, s.Name())
		}
		for _, e := range s.Events() {
			for _, a := range e.Attributes {
				assert.NotContains(t, a.Value.String(), secret, "event %s of %s", e.Name, s.Name())
			}
		}
		assert.NotContains(t, s.Status().Description, secret)
		assert.NotContains(t, s.Name(), secret)
	}
}

// newTransport is the transport under test for clients made by hand.
func newTransport(opts ...langfusegenai.Option) http.RoundTripper {
	return langfusegenai.NewTransport(nil, opts...)
}

// disabledClient returns a context bound to a client with tracing
// disabled, and the recorder it would export to.
func disabledClient(t *testing.T) (context.Context, *langfusetest.Recorder) {
	rec := langfusetest.NewRecorder()
	cfg := config.Default()
	cfg.TracingEnabled = false
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background()), rec
}
