package langfuseanthropic_test

import (
	"fmt"
	"strings"
	"testing"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

// BenchmarkStreamOverCap reads streams of 4 MiB and 32 MiB, far over the
// 1 MiB the transport keeps by default, through the transport from
// memory: what it holds, and so B/op, must not grow with them.
func BenchmarkStreamOverCap(b *testing.B) {
	text := strings.Repeat("token ", 33) + "xy"
	for _, size := range []int{4 << 20, 32 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			body := llmtest.StreamOf(size,
				encodeSSE([]sseEvent{messageStart("msg_1", 9), blockStart(0, `{"type":"text","text":""}`)}),
				func(int) string { return encodeSSE([]sseEvent{textDelta(0, text)}) },
				encodeSSE([]sseEvent{blockStop(0), messageDelta("end_turn", 99999), messageStop}))
			rt := langfuseanthropic.NewTransport(llmtest.Static("text/event-stream", body))
			llmtest.ReadStreams(b, llmtest.DiscardContext(b), rt, "http://127.0.0.1:1/v1/messages",
				`{"model":"claude-sonnet-4-6","max_tokens":100000,"stream":true,"messages":[{"role":"user","content":"Talk."}]}`)
		})
	}
}
