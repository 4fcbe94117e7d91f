package llmhttp_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

func TestMatchRoute(t *testing.T) {
	chat := llmhttp.Operation{Name: "chat", Kind: 1}
	embed := llmhttp.Operation{Name: "embed", Kind: 2}
	routes := []llmhttp.Route{{Suffix: "/chat", Op: chat}, {Suffix: "/embed", Op: embed}}
	for _, c := range []struct {
		method, url string
		ok          bool
		op          llmhttp.Operation
		prefix      string
	}{
		{"POST", "http://127.0.0.1/chat", true, chat, ""},
		{"POST", "http://127.0.0.1/v1/proxy/chat/", true, chat, "/v1/proxy"},
		{"POST", "http://127.0.0.1/embed?x=/chat", true, embed, ""},
		{"POST", "http://127.0.0.1/chat/more", false, llmhttp.Operation{}, ""},
		{"POST", "http://127.0.0.1/", false, llmhttp.Operation{}, ""},
		{"GET", "http://127.0.0.1/chat", false, llmhttp.Operation{}, ""},
	} {
		r, err := http.NewRequest(c.method, c.url, nil)
		require.NoError(t, err)
		op, prefix, ok := llmhttp.MatchRoute(r, routes)
		assert.Equal(t, c.ok, ok, "%s %s", c.method, c.url)
		assert.Equal(t, c.op, op, "%s %s", c.method, c.url)
		assert.Equal(t, c.prefix, prefix, "%s %s", c.method, c.url)
	}
	_, _, ok := llmhttp.MatchRoute(&http.Request{Method: http.MethodPost}, routes)
	assert.False(t, ok, "no URL")
}
