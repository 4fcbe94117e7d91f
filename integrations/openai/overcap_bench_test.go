package langfuseopenai_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
)

// overCapSizes are stream sizes far over the 1 MiB the transport keeps by
// default: what it holds, and so B/op, must not grow with them.
var overCapSizes = []int{4 << 20, 32 << 20}

// deltaText is the text of one streamed chunk: 200 bytes.
var deltaText = strings.Repeat("token ", 33) + "xy"

// BenchmarkStreamOverCap reads streams of 4 MiB and 32 MiB through the
// transport, from memory, with nothing but the transport reading along.
func BenchmarkStreamOverCap(b *testing.B) {
	for _, size := range overCapSizes {
		b.Run(fmt.Sprintf("chat/%dMiB", size>>20), func(b *testing.B) {
			body := llmtest.StreamOf(size,
				data(`{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`),
				func(int) string {
					return data(`{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"` + deltaText + `"},"logprobs":null,"finish_reason":null}],"usage":null}`)
				},
				data(`{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`)+
					data(`{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":99999,"total_tokens":100008}}`)+
					data(`[DONE]`))
			rt := langfuseopenai.NewTransport(llmtest.Static("text/event-stream", body))
			llmtest.ReadStreams(b, llmtest.DiscardContext(b), rt, "http://127.0.0.1:1/v1/chat/completions",
				`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Talk."}]}`)
		})
		b.Run(fmt.Sprintf("responses/%dMiB", size>>20), func(b *testing.B) {
			body := llmtest.StreamOf(size,
				typed(`{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-4.1-2025-04-14","output":[]}}`)+
					typed(`{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`),
				func(i int) string {
					return typed(`{"type":"response.output_text.delta","sequence_number":` + fmt.Sprint(i+2) + `,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"` + deltaText + `"}`)
				},
				typed(`{"type":"response.completed","sequence_number":99999999,"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-4.1-2025-04-14","output":[],"usage":{"input_tokens":9,"output_tokens":99999,"total_tokens":100008}}}`))
			rt := langfuseopenai.NewTransport(llmtest.Static("text/event-stream", body))
			llmtest.ReadStreams(b, llmtest.DiscardContext(b), rt, "http://127.0.0.1:1/v1/responses",
				`{"model":"gpt-4.1","stream":true,"input":"Talk."}`)
		})
	}
}
