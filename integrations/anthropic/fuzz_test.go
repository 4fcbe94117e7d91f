package langfuseanthropic

import (
	"encoding/json"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// FuzzProvider feeds arbitrary bodies and events to every reader of the
// provider: none may panic, and what they return must hold only copies.
func FuzzProvider(f *testing.F) {
	f.Add([]byte(`{"model":"m","system":"s","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"tools":[]}`), "content_block_delta")
	f.Add([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\""}}`), "")
	f.Add([]byte(`{"type":"message_start","message":{"id":"x","usage":{"input_tokens":-1}}}`), "message_start")
	f.Add([]byte(`{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","input":{}}}`), "")
	f.Add([]byte(`{"type":"error","error":null}`), "error")
	f.Add([]byte(`[1,2`), "error")
	f.Fuzz(func(t *testing.T, data []byte, event string) {
		p := provider{}
		op := llmhttp.Operation{Name: operationName}
		req := p.Request(op, data)
		resp := p.Response(op, data)
		_ = p.ErrorMessage(400, data)
		var streams []any
		for _, keep := range []*llmhttp.Budget{nil, llmhttp.NewBudget(48)} {
			s := p.Stream(op, keep)
			s.Event("content_block_start", []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`))
			s.Event(event, data)
			s.Event(event, data)
			s.Event("message_stop", []byte(`{"type":"message_stop"}`))
			streams = append(streams, s.Result().Output)
		}

		before := encode(req.Input, req.Params, resp.Output, streams)
		for i := range data {
			data[i] = 'x'
		}
		if after := encode(req.Input, req.Params, resp.Output, streams); after != before {
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
