package prompt_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/observe-go/langfuse/prompt"
)

// BenchmarkCompile compiles templates of growing size, one variable every
// 64 bytes: ns/op divided by the size stays flat when compile is linear.
func BenchmarkCompile(b *testing.B) {
	for _, size := range []int{1 << 10, 1 << 16, 1 << 22} {
		chunk := strings.Repeat("x", 54) + "{{ name }}"
		p := &prompt.Prompt{Name: "bench", Type: prompt.TypeText, Text: strings.Repeat(chunk, size/len(chunk))}
		vars := map[string]any{"name": "Ada Lovelace"}
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.Text)))
			for b.Loop() {
				if _, err := p.Compile(vars); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
