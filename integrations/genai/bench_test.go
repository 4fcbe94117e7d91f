package langfusegenai_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"google.golang.org/genai"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// BenchmarkStream times a streamed call of 50 chunks through the SDK with
// the transport against the same call without it, and the time to the
// first chunk of each.
func BenchmarkStream(b *testing.B) {
	const chunks = 50
	events := make([]string, chunks)
	for i := range events {
		finish := ""
		if i == chunks-1 {
			finish = `,"finishReason":"STOP"`
		}
		events[i] = fmt.Sprintf(`{"candidates":[{"content":{"role":"model","parts":[{"text":"token %d "}]},"index":0%s}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":%d,"totalTokenCount":%d},"modelVersion":"gemini-2.5-flash-001","responseId":"bench"}`,
			i, finish, i+1, i+13)
	}
	srv := llmtest.NewFakeAPI(b, func(w http.ResponseWriter, r *http.Request) { writeSSE(w, events...) })

	for _, bc := range []struct {
		name      string
		transport http.RoundTripper
	}{
		{"without", http.DefaultTransport},
		{"with", langfusegenai.NewTransport(nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, rec := langfusetest.New(b)
			client, err := genai.NewClient(context.Background(), &genai.ClientConfig{
				APIKey:      apiKey,
				Backend:     genai.BackendGeminiAPI,
				HTTPClient:  &http.Client{Transport: bc.transport},
				HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
			})
			if err != nil {
				b.Fatal(err)
			}
			contents := genai.Text("Count to fifty.")
			var first time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				n := 0
				for _, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", contents, nil) {
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						first += time.Since(start)
					}
					n++
				}
				if n != chunks {
					b.Fatalf("%d chunks, want %d", n, chunks)
				}
				if i%1024 == 1023 {
					rec.Reset() // keep the recorder's memory flat
				}
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ns/first-chunk")
		})
	}
}
