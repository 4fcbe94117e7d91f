package llmtest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

// DiscardContext is a context bound to a client of the benchmark's own,
// as a service runs one (batched export), whose exporter keeps nothing:
// what a benchmark measures is the transport's cost, not a recorder's
// memory.
func DiscardContext(tb testing.TB) context.Context {
	tb.Helper()
	cfg := config.Default()
	cfg.ExportMode = config.ExportBatched
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(discard{}),
		langfuse.AsDefault(false), langfuse.WithExportFilter(tracing.ExportAll))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background())
}

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// RoundTripFunc is a base transport made of a function.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Static is a base transport that reads each request's body and answers
// 200 with contentType and body, from memory.
func Static(contentType, body string) http.RoundTripper {
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		return &http.Response{
			StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {contentType}},
			Body:    io.NopCloser(strings.NewReader(body)),
			Request: r,
		}, nil
	})
}

// SSE is a server-sent event stream of at least size bytes: head, then
// as many events made by event as it takes, then tail. Each piece is
// written as it is, so each must be one or more whole events.
func SSE(size int, head string, event func(i int) string, tail string) string {
	var b strings.Builder
	b.Grow(size + len(head) + len(tail) + 4096)
	b.WriteString(head)
	for i := 0; b.Len() < size; i++ {
		b.WriteString(event(i))
	}
	b.WriteString(tail)
	return b.String()
}

// ReadStreams posts body to url through rt once per benchmark iteration,
// under ctx, and reads each answer to its end, as an SDK does.
func ReadStreams(b *testing.B, ctx context.Context, rt http.RoundTripper, url, body string) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer sk-bench-0123456789")
		resp, err := rt.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}
}
