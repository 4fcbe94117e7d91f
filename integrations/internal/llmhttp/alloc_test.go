package llmhttp

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/observe"
)

// TestAllocTracingOff: with tracing off a model call passes through the
// transport without allocating (the race detector's allocations are not
// counted, so CI also runs this without it).
func TestAllocTracingOff(t *testing.T) {
	if llmtest.RaceEnabled {
		t.Skip("allocations are counted without the race detector (make unit)")
	}
	resp := &http.Response{StatusCode: 200, Body: http.NoBody}
	rt := New(llmtest.RoundTripFunc(func(*http.Request) (*http.Response, error) { return resp, nil }),
		fakeWire{}, Config{Observe: []observe.Option{observe.WithVersion("v1")}})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		"http://127.0.0.1:1/v1/complete", strings.NewReader(request))
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		got, err := rt.RoundTrip(req)
		if err != nil || got != resp {
			t.Fatalf("RoundTrip = %v, %v", got, err)
		}
	})
	if allocs != 0 {
		t.Errorf("a call with tracing off allocates %.0f times, want 0", allocs)
	}
}
