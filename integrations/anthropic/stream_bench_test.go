package langfuseanthropic

import (
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// BenchmarkStreamEvents is the transport's own cost of reading a stream:
// 50 text deltas between the events that frame them.
func BenchmarkStreamEvents(b *testing.B) {
	start := []byte(`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}`)
	blockStart := []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
	delta := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"token "}}`)
	blockStop := []byte(`{"type":"content_block_stop","index":0}`)
	msgDelta := []byte(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":50}}`)
	stop := []byte(`{"type":"message_stop"}`)
	b.ReportAllocs()
	for b.Loop() {
		s := provider{}.Stream(llmhttp.Operation{}, nil)
		s.Event("message_start", start)
		s.Event("content_block_start", blockStart)
		for range 50 {
			s.Event("content_block_delta", delta)
		}
		s.Event("content_block_stop", blockStop)
		s.Event("message_delta", msgDelta)
		s.Event("message_stop", stop)
		_ = s.Result()
	}
}
