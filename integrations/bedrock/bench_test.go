package langfusebedrock_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	langfusebedrock "github.com/observe-go/langfuse/integrations/bedrock"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// BenchmarkStream streams a ConverseStream answer of 50 text deltas
// through the SDK with the transport and without it, from the same fake
// API, and reports the time to the first event beside the time of the
// whole call.
func BenchmarkStream(b *testing.B) {
	events := []any{esEvent{"messageStart", `{"role":"assistant"}`}}
	for range 50 {
		events = append(events, esEvent{"contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"token "}}`})
	}
	events = append(events,
		esEvent{"contentBlockStop", `{"contentBlockIndex":0}`},
		esEvent{"messageStop", `{"stopReason":"end_turn"}`},
		esEvent{"metadata", `{"usage":{"inputTokens":25,"outputTokens":50,"totalTokens":75},"metrics":{"latencyMs":100}}`})
	api := llmtest.NewFakeAPI(b, eventStream(b, events...))

	for _, bc := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"without", http.DefaultTransport},
		{"with", langfusebedrock.NewTransport(nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, rec := langfusetest.New(b)
			client := clientOf(api.URL, bc.rt)
			in := &bedrockruntime.ConverseStreamInput{ModelId: aws.String(haiku), Messages: userMessage("Count to fifty.")}
			var first time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				out, err := client.ConverseStream(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				stream := out.GetStream()
				seen := false
				for ev := range stream.Events() {
					if _, ok := ev.(*types.ConverseStreamOutputMemberContentBlockDelta); ok && !seen {
						first += time.Since(start)
						seen = true
					}
				}
				// stream.Err is not checked: now and then (seen about
				// once in 150 calls without the transport) the SDK's
				// reader reports "use of closed network connection"
				// after every event has arrived.
				_ = stream.Close()
				if i%1000 == 999 {
					rec.Reset()
				}
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ns/first-chunk")
		})
	}
}
