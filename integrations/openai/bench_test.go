package langfuseopenai_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
)

// benchEvents is a streamed answer of 50 content chunks.
func benchEvents() []string {
	events := make([]string, 0, 54)
	events = append(events, chatStream[0])
	for i := range 50 {
		events = append(events, data(fmt.Sprintf(`{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"token%d "},"logprobs":null,"finish_reason":null}],"usage":null}`, i)))
	}
	return append(events, chatStream[4], chatStream[5], chatStream[6])
}

// BenchmarkStream is a streamed chat completion of 50 chunks through the
// official SDK, with the transport recording it, without the transport,
// and with the transport while tracing is off, against the same local
// server. ns/first-chunk is the time from the call to the first chunk the
// SDK hands out.
func BenchmarkStream(b *testing.B) {
	events := benchEvents()
	api := llmtest.NewFakeAPI(b, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.EventStream(events...)}))
	benchStream(b, api.URL, http.DefaultTransport, len(events)-1)
}

// BenchmarkStreamInMemory is BenchmarkStream with the answer served from
// memory instead of a socket, so that what is measured is the
// transport's own cost, not the network's noise.
func BenchmarkStreamInMemory(b *testing.B) {
	events := benchEvents()
	body := strings.Join(events, "")
	base := llmtest.Static("text/event-stream", body)
	benchStream(b, "http://127.0.0.1:1", base, len(events)-1)
}

func benchStream(b *testing.B, url string, base http.RoundTripper, chunks int) {
	ctx := llmtest.DiscardContext(b)
	for _, bc := range []struct {
		name      string
		transport http.RoundTripper
		ctx       context.Context
	}{
		{"without", base, context.Background()},
		{"with", langfuseopenai.NewTransport(base), ctx},
		{"tracing-off", langfuseopenai.NewTransport(base), context.Background()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := openai.NewClient(
				option.WithBaseURL(url+"/v1/"),
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
				if err := stream.Err(); err != nil || n != chunks {
					b.Fatalf("%d chunks, %v", n, err)
				}
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ns/first-chunk")
		})
	}
}
