package langfuseanthropic_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// BenchmarkStream streams an answer of 50 text deltas through the SDK
// with the transport and without it, from the same fake API, and reports
// the time to the first event beside the time of the whole call.
func BenchmarkStream(b *testing.B) {
	events := []sseEvent{messageStart("msg_bench", 25), blockStart(0, `{"type":"text","text":""}`)}
	for range 50 {
		events = append(events, textDelta(0, "token "))
	}
	events = append(events, blockStop(0), messageDelta("end_turn", 50), messageStop)
	api := llmtest.NewFakeAPI(b, llmtest.Sequence(sseAnswer(events)))

	for _, bc := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"without", http.DefaultTransport},
		{"with", langfuseanthropic.NewTransport(nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, rec := langfusetest.New(b)
			client := newClientWith(api.URL, bc.rt, option.WithMaxRetries(0))
			params := userParams("Count to fifty.")
			var first time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				stream := client.Messages.NewStreaming(ctx, params)
				var msg anthropic.Message
				for n := 0; stream.Next(); n++ {
					if n == 0 {
						first += time.Since(start)
					}
					if err := msg.Accumulate(stream.Current()); err != nil {
						b.Fatal(err)
					}
				}
				if err := stream.Err(); err != nil {
					b.Fatal(err)
				}
				_ = stream.Close()
				if i%1000 == 999 {
					rec.Reset()
				}
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ns/first-chunk")
		})
	}
}
