package langfuseopenai_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/tracing"
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
	api := newFakeAPI(b, map[string]http.HandlerFunc{"/v1/chat/completions": sseHandler(events...)})
	benchStream(b, api.URL, http.DefaultTransport, len(events)-1)
}

// BenchmarkStreamInMemory is BenchmarkStream with the answer served from
// memory instead of a socket, so that what is measured is the
// transport's own cost, not the network's noise.
func BenchmarkStreamInMemory(b *testing.B) {
	events := benchEvents()
	body := strings.Join(events, "")
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		return &http.Response{
			StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {"text/event-stream"}},
			Body:    io.NopCloser(strings.NewReader(body)),
			Request: r,
		}, nil
	})
	benchStream(b, "http://127.0.0.1:1", base, len(events)-1)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func benchStream(b *testing.B, url string, base http.RoundTripper, chunks int) {
	ctx, rec := benchClient(b)
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
				if i%1000 == 999 {
					rec.Reset()
				}
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ns/first-chunk")
		})
	}
}

// benchClient is a client as a service runs one: batched export on a
// goroutine of its own, to an exporter that keeps nothing, so that the
// figures hold what the transport costs the call, not a test recorder's
// memory. The recorder it returns counts nothing; it is kept for the
// callers' checks.
func benchClient(b *testing.B) (context.Context, *langfusetest.Recorder) {
	b.Helper()
	cfg := config.Default()
	cfg.ExportMode = config.ExportBatched
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(discardExporter{}),
		langfuse.AsDefault(false), langfuse.WithExportFilter(tracing.ExportAll))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background()), langfusetest.NewRecorder()
}

type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }
