package langfuseanthropic_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// BenchmarkRoundTripStatic is the transport's own cost of one streamed
// call, recorded, with no network: the base transport answers from memory.
func BenchmarkRoundTripStatic(b *testing.B) {
	ctx, rec := langfusetest.New(b)
	body := `{"max_tokens":1024,"messages":[{"content":[{"text":"Count to fifty.","type":"text"}],"role":"user"}],"model":"claude-sonnet-4-6","stream":true}`
	sse := encodeSSE(textStream("x"))
	rt := langfuseanthropic.NewTransport(llmtest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		_, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(strings.NewReader(sse))}, nil
	}))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/v1/messages", strings.NewReader(body))
		resp, _ := rt.RoundTrip(req)
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		i++
		if i%1000 == 0 {
			rec.Reset()
		}
	}
}
