package langfuseollama_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseollama "github.com/observe-go/langfuse/integrations/ollama"
	"github.com/observe-go/langfuse/langfusetest"
)

// BenchmarkStream streams an answer of 50 lines of text through Ollama's
// client with the transport and without it, from the same fake API, and
// reports the time to the first line beside the time of the whole call.
func BenchmarkStream(b *testing.B) {
	lines := make([]string, 0, 51)
	for range 50 {
		lines = append(lines, `{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"token "},"done":false}`)
	}
	lines = append(lines, `{"model":"llama3.2","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",`+metricsJSON+`}`)
	fake := llmtest.NewFakeAPI(b, ndjson(lines...))

	for _, bc := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"without", http.DefaultTransport},
		{"with", langfuseollama.NewTransport(nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, rec := langfusetest.New(b)
			client := api.NewClient(mustURL(b, fake.URL), &http.Client{Transport: bc.rt})
			req := chatRequest(true)
			var first time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				var text strings.Builder
				n := 0
				err := client.Chat(ctx, req, func(r api.ChatResponse) error {
					if n == 0 {
						first += time.Since(start)
					}
					n++
					text.WriteString(r.Message.Content)
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if i%1000 == 999 {
					rec.Reset()
				}
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ns/first-chunk")
		})
	}
}
