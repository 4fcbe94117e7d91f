package langfusegenai_test

import (
	"fmt"
	"strings"
	"testing"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

// BenchmarkStreamOverCap reads streams of 4 MiB and 32 MiB, far over the
// 1 MiB the transport keeps by default, through the transport from
// memory: what it holds, and so B/op, must not grow with them.
func BenchmarkStreamOverCap(b *testing.B) {
	text := strings.Repeat("token ", 33) + "xy"
	for _, size := range []int{4 << 20, 32 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			body := llmtest.StreamOf(size, "",
				func(i int) string {
					return sseBody(fmt.Sprintf(`{"candidates":[{"content":{"role":"model","parts":[{"text":"%s"}]},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":%d,"totalTokenCount":%d},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}`, text, i+1, i+10))
				},
				sseBody(`{"candidates":[{"content":{"role":"model","parts":[{"text":"."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":99999,"totalTokenCount":100008},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}`))
			rt := langfusegenai.NewTransport(llmtest.Static("text/event-stream", body))
			llmtest.ReadStreams(b, llmtest.DiscardContext(b), rt,
				"http://127.0.0.1:1/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
				`{"contents":[{"role":"user","parts":[{"text":"Talk."}]}]}`)
		})
	}
}
