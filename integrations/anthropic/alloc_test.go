package langfuseanthropic_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

type staticRoundTripper struct{ resp *http.Response }

func (s staticRoundTripper) RoundTrip(*http.Request) (*http.Response, error) { return s.resp, nil }

// TestDisabledAllocs: with tracing off the transport is a pass-through
// that allocates nothing.
func TestDisabledAllocs(t *testing.T) {
	if llmtest.RaceEnabled {
		t.Skip("allocations are not counted under the race detector")
	}
	ctx, _ := llmtest.DisabledContext(t)
	for name, c := range map[string]context.Context{"disabled": ctx, "no client": context.Background()} {
		resp := &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(""))}
		rt := langfuseanthropic.NewTransport(staticRoundTripper{resp})
		req, _ := http.NewRequestWithContext(c, http.MethodPost, "http://127.0.0.1/v1/messages", strings.NewReader("{}"))
		got, err := rt.RoundTrip(req)
		assert.NoError(t, err)
		assert.Same(t, resp, got, "%s: the response as the base transport gave it", name)
		n := testing.AllocsPerRun(100, func() { _, _ = rt.RoundTrip(req) })
		assert.Zero(t, n, name)
	}
}
