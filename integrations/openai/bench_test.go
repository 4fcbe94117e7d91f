package langfuseopenai_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
)

// BenchmarkStream is a streamed chat completion of 50 chunks through the
// official SDK, with the transport recording it and without, against the
// same local server. ns/first-chunk is the time from the call to the
// first chunk the SDK hands out.
func BenchmarkStream(b *testing.B) {
	events := make([]string, 0, 53)
	events = append(events, chatStream[0])
	for i := range 50 {
		events = append(events, data(fmt.Sprintf(`{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"token%d "},"logprobs":null,"finish_reason":null}],"usage":null}`, i)))
	}
	events = append(events, chatStream[4], chatStream[5], chatStream[6])
	api := newFakeAPI(b, map[string]http.HandlerFunc{"/v1/chat/completions": sseHandler(events...)})

	ctx, rec := langfusetest.New(b)
	for _, bc := range []struct {
		name      string
		transport http.RoundTripper
		ctx       context.Context
	}{
		{"without", http.DefaultTransport, context.Background()},
		{"with", langfuseopenai.NewTransport(nil), ctx},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := openai.NewClient(
				option.WithBaseURL(api.URL+"/v1/"),
				option.WithAPIKey(apiKey),
				option.WithHTTPClient(&http.Client{Transport: bc.transport}),
				option.WithMaxRetries(0),
			)
			params := openai.ChatCompletionNewParams{
				Model:         openai.ChatModelGPT4oMini,
				Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Count to fifty.")},
				StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
			}
			var first time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				stream := client.Chat.Completions.NewStreaming(bc.ctx, params)
				n := 0
				for stream.Next() {
					if n == 0 {
						first += time.Since(start)
					}
					n++
				}
				if err := stream.Err(); err != nil || n != len(events)-1 {
					b.Fatalf("%d chunks, %v", n, err)
				}
				if i%1000 == 999 {
					rec.Reset()
				}
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ns/first-chunk")
		})
	}
}
