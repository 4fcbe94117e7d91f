package langfuseollama

import (
	"encoding/json"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// FuzzProvider feeds arbitrary bodies and lines to every reader of the
// provider, for each operation: none may panic, and what they return must
// hold only copies.
func FuzzProvider(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"options":{"temperature":0.1},"stream":false}`))
	f.Add([]byte(`{"model":"m","system":"s","prompt":"p","images":["aGk="],"options":[1]}`))
	f.Add([]byte(`{"model":"m","message":{"role":"assistant","content":"a","tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":true,"prompt_eval_count":-1,"eval_count":3}`))
	f.Add([]byte(`{"model":"m","response":"r","thinking":"t","done":true,"total_duration":1,"load_duration":2}`))
	f.Add([]byte(`{"model":"m","embeddings":[[0.1,0.2],[0.3]],"prompt_eval_count":4}`))
	f.Add([]byte(`{"error":"boom"}`))
	f.Add([]byte(`{"DONE":true,"Error":null,"message":null}`))
	f.Add([]byte(`[1,2`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := provider{}
		var held []any
		for _, route := range routes {
			op := route.Op
			req := p.Request(op, data)
			resp := p.Response(op, data)
			_ = p.ErrorMessage(400, data)
			held = append(held, req.Input, req.Params, resp.Output, resp.Metadata)
			for _, keep := range []*llmhttp.Budget{nil, llmhttp.NewBudget(48)} {
				s := p.Stream(op, keep)
				s.Event("", []byte(`{"model":"m","message":{"role":"assistant","content":"start"},"response":"start"}`))
				s.Event("", data)
				s.Event("", data)
				r := s.Result()
				held = append(held, r.Output, r.Metadata)
			}
		}

		before := encode(held...)
		for i := range data {
			data[i] = 'x'
		}
		if after := encode(held...); after != before {
			t.Errorf("a result changed with the bytes it was read from:\n%s\n%s", before, after)
		}
	})
}

func encode(v ...any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}
