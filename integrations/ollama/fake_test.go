package langfuseollama_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseollama "github.com/observe-go/langfuse/integrations/ollama"
)

// secret is the key a proxy in front of Ollama would take, sent with
// every request; the fake API echoes it in its answers.
const secret = "sk-ollama-proxy-0123456789abcdef"

// withKey adds the key to every request, as a program behind an
// authenticating proxy does, before the Langfuse transport sees it.
func withKey(next http.RoundTripper) http.RoundTripper {
	return llmtest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+secret)
		return next.RoundTrip(r)
	})
}

// newClient is Ollama's own client of the fake API at base, with the
// transport (and the key) in its HTTP client.
func newClient(tb testing.TB, base string, opts ...langfuseollama.Option) *api.Client {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	return api.NewClient(u, &http.Client{Transport: withKey(langfuseollama.NewTransport(nil, opts...))})
}

// ndjson is a handler that answers 200 with lines of newline-delimited
// JSON, writing and flushing each on its own, as Ollama streams.
func ndjson(lines ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		for _, l := range lines {
			_, _ = io.WriteString(w, l+"\n")
			w.(http.Flusher).Flush()
		}
	}
}

// The lines of a streamed chat answer, the key echoed in its text.
var chatLines = []string{
	`{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello"},"done":false}`,
	`{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":", ` + secret + `"},"done":false}`,
	`{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":" world."},"done":false}`,
	`{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",` + metricsJSON + `}`,
}

const metricsJSON = `"total_duration":5000000000,"load_duration":1000000,"prompt_eval_count":26,"prompt_eval_duration":130000000,"eval_count":9,"eval_duration":250000000`

const chatWhole = `{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello, ` + secret + ` world."},"done":true,"done_reason":"stop",` + metricsJSON + `}`

// streamOf reports whether a chat request asks for a stream: Ollama
// streams unless "stream" is false.
func streamOf(r *http.Request) bool {
	body, _ := io.ReadAll(r.Body)
	return !strings.Contains(string(body), `"stream":false`)
}

// chatAPI answers /api/chat whole or streamed, as the request asks.
func chatAPI(w http.ResponseWriter, r *http.Request) {
	if streamOf(r) {
		ndjson(chatLines...)(w, r)
		return
	}
	llmtest.WriteJSON(w, http.StatusOK, chatWhole)
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
