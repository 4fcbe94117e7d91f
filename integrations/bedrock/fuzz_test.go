package langfusebedrock

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// FuzzProvider feeds arbitrary bodies and events to every reader of the
// provider, for each kind of operation: none may panic, and what they
// return must hold only copies.
func FuzzProvider(f *testing.F) {
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"text":"hi"}]}],"system":[{"text":"s"}],"inferenceConfig":{"maxTokens":5}}`), "contentBlockDelta")
	f.Add([]byte(`{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"a\""}}}`), "contentBlockDelta")
	f.Add([]byte(`{"contentBlockIndex":63,"start":{"toolUse":{"toolUseId":"x","name":"y"}}}`), "contentBlockStart")
	f.Add([]byte(`{"usage":{"inputTokens":-1,"totalTokens":3}}`), "metadata")
	f.Add([]byte(`{"message":"slow down"}`), "exception:throttlingException")
	f.Add([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}`), "chunk")
	f.Add([]byte(`{"bytes":"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0="}`), "chunk")
	f.Add([]byte(`[1,2`), "error:InternalFailure")
	f.Fuzz(func(t *testing.T, data []byte, event string) {
		p := provider{}
		chunked := []byte(`{"bytes":"` + base64.StdEncoding.EncodeToString(data) + `"}`)
		var results []any
		for _, kind := range []int{kindConverse, kindConverseStream, kindInvoke, kindInvokeStream} {
			op := llmhttp.Operation{Name: converseName, Kind: kind}
			req := p.Request(op, data)
			resp := p.Response(op, data)
			results = append(results, req.Input, req.Params, req.Metadata, resp.Output, resp.Metadata, p.ErrorMessage(400, data))
			for _, keep := range []*llmhttp.Budget{nil, llmhttp.NewBudget(48)} {
				s := p.Stream(op, keep)
				s.Event("contentBlockStart", []byte(`{"contentBlockIndex":0,"start":{}}`))
				s.Event(event, data)
				s.Event(event, data)
				s.Event("chunk", chunked)
				s.Event("messageStop", []byte(`{"stopReason":"end_turn"}`))
				r := s.Result()
				results = append(results, r.Output, r.Metadata, r.Error)
			}
		}
		before := encode(results)
		for i := range data {
			data[i] = 'x'
		}
		if after := encode(results); after != before {
			t.Errorf("a result changed with the bytes it was read from:\n%s\n%s", before, after)
		}
	})
}

func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}
