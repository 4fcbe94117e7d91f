package langfuseopenai

import (
	"fmt"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// BenchmarkChatManyChoices reads streams whose every chunk names a new
// choice index, 1 000 and 16 000 of them: the cost per chunk must not
// grow with the number of indexes a stream sent (ns/chunk flat).
func BenchmarkChatManyChoices(b *testing.B) {
	for _, n := range []int{1000, 16000} {
		chunks := make([][]byte, n)
		for i := range chunks {
			chunks[i] = fmt.Appendf(nil, `{"choices":[{"index":%d,"delta":{"content":"x"},"finish_reason":null}]}`, i)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := provider{}.Stream(llmhttp.Operation{Kind: kindChat}, nil)
				for _, c := range chunks {
					s.Event("", c)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/chunk")
		})
	}
}
