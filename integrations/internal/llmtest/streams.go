package llmtest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// StreamOf is a stream of at least size bytes: head, then as many events
// made by event as it takes, then tail. Each piece is written as it is,
// so each must be one or more whole events.
func StreamOf(size int, head string, event func(i int) string, tail string) string {
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
