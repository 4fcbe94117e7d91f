package llmhttp_test

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

func TestSystemFirst(t *testing.T) {
	for name, c := range map[string]struct{ system, messages, want string }{
		"system string": {`"Be kind."`, `[{"role":"user","content":"Hi"}]`, `[{"role":"system","content":"Be kind."},{"role":"user","content":"Hi"}]`},
		"system blocks": {`[{"text":"Be kind."}]`, `[{"role":"user","content":"Hi"}]`, `[{"role":"system","content":[{"text":"Be kind."}]},{"role":"user","content":"Hi"}]`},
		"no system":     {``, `[{"role":"user","content":"Hi"}]`, `[{"role":"user","content":"Hi"}]`},
		"null system":   {`null`, `[{"role":"user","content":"Hi"}]`, `[{"role":"user","content":"Hi"}]`},
		"system only":   {`"Be kind."`, ``, `[{"role":"system","content":"Be kind."}]`},
		"not an array":  {`"Be kind."`, `{"role":"user"}`, `{"system":"Be kind.","messages":{"role":"user"}}`},
		"neither":       {``, `null`, `null`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := json.Marshal(llmhttp.SystemFirst(json.RawMessage(c.system), json.RawMessage(c.messages)))
			require.NoError(t, err)
			assert.JSONEq(t, c.want, string(got))
		})
	}
}

func TestParams(t *testing.T) {
	fields := map[string]json.RawMessage{"max_tokens": json.RawMessage(`5`), "top_k": json.RawMessage(`null`), "model": json.RawMessage(`"m"`)}
	assert.Nil(t, llmhttp.Params(nil, fields, "top_k", "absent"), "no map for nothing")
	got := llmhttp.Params(nil, fields, "max_tokens", "top_k", "absent")
	assert.Equal(t, map[string]any{"max_tokens": json.RawMessage(`5`)}, got)
	got = llmhttp.Param(got, "extra", json.RawMessage(`true`))
	assert.Equal(t, map[string]any{"max_tokens": json.RawMessage(`5`), "extra": json.RawMessage(`true`)}, got, "added to the map given")
}

func TestToolInput(t *testing.T) {
	assert.Equal(t, json.RawMessage(`{"city":"Lisbon"}`), llmhttp.ToolInput(`{"city":"Lisbon"}`))
	assert.Equal(t, `{"city":"Lis`, llmhttp.ToolInput(`{"city":"Lis`), "cut off: the text that arrived")
}
