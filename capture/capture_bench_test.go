package capture

import (
	"strings"
	"testing"

	json "github.com/goccy/go-json"
)

// Each benchmark runs capture beside a go-json baseline that encodes the
// same value with plain json.Marshal, so that the ratio shows in one run.

type benchMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	Name    string `json:"name,omitempty"`
}

type benchRequest struct {
	Model       string         `json:"model"`
	Messages    []benchMessage `json:"messages"`
	Temperature float64        `json:"temperature"`
	MaxTokens   int            `json:"max_tokens"`
	Stream      bool           `json:"stream"`
}

// payload returns a request whose JSON is about size bytes.
func payload(size int) benchRequest {
	r := benchRequest{Model: "gpt-4o", Temperature: 0.2, MaxTokens: 1024}
	content := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 4)
	for n := 0; n < size; n += len(content) + 40 {
		role := "user"
		if len(r.Messages)%2 == 1 {
			role = "assistant"
		}
		r.Messages = append(r.Messages, benchMessage{Role: role, Content: content})
	}
	return r
}

type benchNode struct {
	Name     string       `json:"name"`
	Children []*benchNode `json:"children"`
	Parent   *benchNode   `json:"parent"`
}

func benchCycle() *benchNode {
	root := &benchNode{Name: "root"}
	for i := range 4 {
		c := &benchNode{Name: "child" + string(rune('a'+i)), Parent: root}
		c.Children = []*benchNode{{Name: "leaf", Parent: c}}
		root.Children = append(root.Children, c)
	}
	return root
}

func BenchmarkCapture(b *testing.B) {
	cases := []struct {
		name string
		v    any
		fn   func(any, Options) string
	}{
		{"String", "What is the capital of France? Answer in one word.", String},
		{"Int", 1234567, JSON},
		{"SmallStruct", benchMessage{Role: "user", Content: "What is the capital of France?"}, String},
		{"MapAny", map[string]any{
			"model": "gpt-4o", "temperature": 0.2, "max_tokens": 256,
			"stream": false, "top_p": 1.0, "user": "user-42",
		}, JSON},
		{"StringSlice", []string{"alpha", "beta", "gamma", "delta", "epsilon"}, String},
		{"Payload10KB", payload(10 << 10), String},
		{"Payload1MB", payload(1 << 20), String},
		{"Cycle", benchCycle(), String},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.fn(c.v, Options{})
			}
		})
		b.Run(c.name+"/go-json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				// A cycle makes go-json fail after a thousand levels;
				// the time to fail is the baseline there.
				_, _ = json.Marshal(c.v)
			}
		})
	}
}

// budgetDoc is a retrieved document, as a retriever or a RAG step passes
// them around.
type budgetDoc struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
	Text  string  `json:"text"`
}

// budgetDocs returns 50 documents whose texts add up to size bytes, each
// text its own string.
func budgetDocs(size int) []budgetDoc {
	docs := make([]budgetDoc, 50)
	line := "Retrieved passage, plain text with \"quotes\" and a newline\n"
	for i := range docs {
		text := strings.Repeat(line, size/len(docs)/len(line)+1)
		docs[i] = budgetDoc{ID: "doc-" + strings.Repeat("x", i%7), Score: 0.5, Text: text[:size/len(docs)]}
	}
	return docs
}

// BenchmarkCaptureBudget captures values of 1 MiB, 50 MiB and 500 MiB
// under a 10 KB limit: time and memory must follow the limit, not the
// value, so every size costs about what the smallest does, and B/op stays
// within a small multiple of the limit. Each input is built in its own
// sub-benchmark, outside the timer, and dropped after it.
func BenchmarkCaptureBudget(b *testing.B) {
	const limit = 10_000
	for _, size := range []struct {
		name string
		n    int
	}{{"1MiB", 1 << 20}, {"50MiB", 50 << 20}, {"500MiB", 500 << 20}} {
		b.Run("size="+size.name, func(b *testing.B) {
			v := any(budgetDocs(size.n))
			o := Options{MaxBytes: limit}
			b.ReportAllocs()
			for b.Loop() {
				_ = String(v, o)
			}
		})
	}
}
