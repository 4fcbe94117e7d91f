package langfusegenai

import (
	"fmt"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// BenchmarkStreamEvents reads the 50 events of a streamed answer, the work
// the transport adds to each chunk.
func BenchmarkStreamEvents(b *testing.B) {
	events := make([][]byte, 50)
	for i := range events {
		events[i] = fmt.Appendf(nil, `{"candidates":[{"content":{"role":"model","parts":[{"text":"token %d "}]},"index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":%d,"totalTokenCount":%d},"modelVersion":"gemini-2.5-flash-001","responseId":"bench"}`, i, i+1, i+13)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := provider{}.Stream(llmhttp.Operation{Kind: kindStream}, nil)
		for _, e := range events {
			s.Event("", e)
		}
		s.Result()
	}
}
