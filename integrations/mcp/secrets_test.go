package langfusemcp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
)

func TestRedactSchemes(t *testing.T) {
	for in, want := range map[string]string{
		"invalid token: Bearer sk-live-1234567890":         "invalid token: Bearer [REDACTED]",
		"bearer   eyJhbGciOi.J9.eyJzdWIi, retry":           "bearer   [REDACTED], retry",
		"Authorization: Basic dXNlcjpwYXNzd29yZA== denied": "Authorization: Basic [REDACTED] denied",
		"BEARER Abcdefgh1 and Bearer Zyxwvuts2":            "BEARER [REDACTED] and Bearer [REDACTED]",
		"Basic authentication failed":                      "Basic authentication failed",
		"a Bearer token is missing":                        "a Bearer token is missing",
		"Bearer short1":                                    "Bearer short1",
		"no credentials here":                              "no credentials here",
		"Bearer":                                           "Bearer",
		"":                                                 "",
	} {
		assert.Equal(t, want, redactSchemes(in), in)
	}
}

func TestSecretsRedact(t *testing.T) {
	var s secrets
	h := http.Header{}
	h.Set("Authorization", "Token opaque-credential-1")
	h.Set("X-Api-Key", "key-0123456789")
	h.Set("Cookie", "session=cookie-value-abc; theme=dark")
	h.Set("Accept", "application/json, text/event-stream")
	s.addHeaders(h)
	msg := "upstream said: opaque-credential-1, key-0123456789, cookie-value-abc, application/json"
	assert.Equal(t, "upstream said: [REDACTED], [REDACTED], [REDACTED], application/json", s.redact(msg))

	s = nil
	s.add("short")
	assert.Empty(t, s, "values under 8 bytes are no keys")
}

func TestSecretsAddURLs(t *testing.T) {
	err := fmt.Errorf("sending \"tools/call\": %w", &url.Error{Op: "Post",
		URL: "https://user:p%40ssw0rd-long@mcp.example.com/mcp?api_key=k3y%2Fvalue-123&x=1", Err: errors.New("dial tcp: refused")})
	var s secrets
	s.addURLs(err)
	got := s.redact(err.Error())
	for _, secret := range []string{"p%40ssw0rd-long", "p@ssw0rd-long", "k3y%2Fvalue-123", "k3y/value-123"} {
		assert.NotContains(t, got, secret)
	}
	assert.Contains(t, got, "mcp.example.com/mcp")
	assert.Contains(t, got, "dial tcp: refused")
}

func TestSecretsOfNilSession(t *testing.T) {
	req := &mcp.ServerRequest[*mcp.CallToolParamsRaw]{Params: &mcp.CallToolParamsRaw{Name: "x"}}
	assert.NotPanics(t, func() { secretsOf(req, errors.New("e")) })
	creq := &mcp.ClientRequest[*mcp.CallToolParams]{Params: &mcp.CallToolParams{Name: "x"}}
	assert.NotPanics(t, func() { secretsOf(creq, errors.New("e")) })
}

func TestToolErrorMessage(t *testing.T) {
	res := &mcp.CallToolResult{IsError: true, Content: []mcp.Content{
		&mcp.ImageContent{Data: []byte{1}}, &mcp.TextContent{Text: "first"}, &mcp.TextContent{Text: "second"}}}
	assert.Equal(t, "first\nsecond", toolErrorMessage(res))
	res.Content = []mcp.Content{&mcp.TextContent{Text: strings.Repeat("é", 1000)}}
	got := toolErrorMessage(res)
	assert.Equal(t, strings.Repeat("é", maxStatus/2)+"…", got)
	res.Content = nil
	assert.Equal(t, "the tool reported an error (isError) without text", toolErrorMessage(res))
}

type panickyError struct{}

func (panickyError) Error() string { panic("boom") }

func TestErrorMessage(t *testing.T) {
	assert.Equal(t, "<panic in Error>", errorMessage(panickyError{}))
	long := errors.New(strings.Repeat("x", 10000))
	assert.Equal(t, strings.Repeat("x", maxErrorMessage)+"…", errorMessage(long))
}
