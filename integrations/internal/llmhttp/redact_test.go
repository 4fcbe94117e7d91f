package llmhttp

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// longKey is a key long enough that a piece of it cut at any point is
// still recognisable.
const longKey = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyz"

// textWire is fakeWire with an error reader that records the whole body
// as the message, as providers do with bodies that are not their JSON.
type textWire struct{ fakeWire }

func (textWire) ErrorMessage(_ int, body []byte) string { return string(body) }

// callWith sends request through rt with the given headers.
func callWith(t *testing.T, ctx context.Context, rt http.RoundTripper, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:1/v1/complete", strings.NewReader(request))
	require.NoError(t, err)
	req.Header = header
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return string(b)
}

// Everything recorded from a response passes the redactor whole, before
// anything is cut: a key lying across a cut is not recorded in part.
func TestEchoedKeyRedactedBeforeCut(t *testing.T) {
	auth := http.Header{"Authorization": {"Bearer " + longKey}}
	t.Run("2xx body that is not JSON", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		page := "<html><body>proxy says: your key " + longKey + " is over quota</body></html>"
		rt := New(answer(200, "text/html", strings.NewReader(page), nil), fakeWire{}, Config{})
		assert.Equal(t, page, readAll(t, callWith(t, ctx, rt, auth)), "the SDK gets the page as sent")
		g := llmtest.Find(t, rec, "fake.complete")
		assert.Equal(t, "<html><body>proxy says: your key [REDACTED] is over quota</body></html>", g.Output)
		llmtest.AssertNoSecret(t, rec, "sk-secret-key", longKey[:8])
	})
	t.Run("error body longer than what is read of it", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		// The key starts 20 bytes before the end of what is read.
		body := strings.Repeat("x", maxErrorBody-20) + longKey + " is revoked"
		rt := New(answer(401, "text/plain", strings.NewReader(body), nil), textWire{}, Config{})
		assert.Equal(t, body, readAll(t, callWith(t, ctx, rt, auth)))
		g := llmtest.Find(t, rec, "fake.complete")
		assert.Equal(t, "ERROR", g.Level)
		assert.True(t, strings.HasPrefix(g.StatusMessage, "Unauthorized: xxx"), g.StatusMessage[:40])
		llmtest.AssertNoSecret(t, rec, "sk-secret-key", longKey[:8])
	})
	t.Run("stream event", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		stream := "data: {\"delta\":\"the key is " + longKey + "\"}\n\ndata: [END]\n\n"
		rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
		assert.Equal(t, stream, readAll(t, callWith(t, ctx, rt, auth)))
		assert.Equal(t, "the key is [REDACTED]", llmtest.Find(t, rec, "fake.complete").Output)
		llmtest.AssertNoSecret(t, rec, "sk-secret-key", longKey[:8])
	})
	t.Run("status line", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		rt := New(llmtest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 403, Status: "403 key " + longKey + " refused", Header: http.Header{},
				Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}), fakeWire{}, Config{})
		readAll(t, callWith(t, ctx, rt, auth))
		assert.Equal(t, "403 key [REDACTED] refused", llmtest.Find(t, rec, "fake.complete").StatusMessage)
		llmtest.AssertNoSecret(t, rec, "sk-secret-key", longKey[:8])
	})
}

// Every value the request's headers carry is a secret if the server echoes
// it, whatever the header is called, except those of a few well-known
// headers that hold none and values too short to be keys.
func TestEveryHeaderValueIsRedacted(t *testing.T) {
	header := http.Header{
		"Helicone-Auth":        {"Bearer sk-helicone-0123456789"},
		"X-Portkey-Api-Key":    {"pk-portkey-abcdefgh"},
		"X-My-Gateway-Token":   {"gw-token-zyxwvuts"},
		"Cookie":               {"session=cookie-secret-42; theme=dark"},
		"Content-Type":         {"application/json"},
		"User-Agent":           {"OpenAI/Go 3.74.0"},
		"X-Stainless-Runtime":  {"go1.26.0-amd64"},
		"Anthropic-Version":    {"2023-06-01"},
		"X-Retry":              {"1"},
		"Authorization":        {"Basic " + "dXNlcjpiYXNpYy1wYXNzd29yZA=="}, // user:basic-password
		"Openai-Organization":  {"org-0123456789"},
		"Ocp-Apim-Trace":       {"true"},
		"X-Stainless-Os":       {"Linux"},
		"Accept":               {"application/json"},
		"X-Request-Signature":  {"sig-0123456789"},
		"X-Empty":              {""},
		"X-Spaced":             {"   "},
		"X-Goog-Api-Client":    {"google-genai-sdk/1.77.0 gl-go/1.26.0"},
		"X-Goog-User-Project":  {"my-project-1234"},
		"Idempotency-Key":      {"stainless-go-retry-0123"},
		"Accept-Encoding":      {"gzip"},
		"X-Stainless-Lang":     {"go"},
		"X-Stainless-Arch":     {"x64"},
		"X-Stainless-Timeout":  {"600"},
		"X-Stainless-Retry-Co": {"0"},
	}
	echo := "denied: " + strings.Join([]string{
		"sk-helicone-0123456789", "pk-portkey-abcdefgh", "gw-token-zyxwvuts", "cookie-secret-42",
		"basic-password", "org-0123456789", "sig-0123456789", "my-project-1234",
		"application/json", "OpenAI/Go 3.74.0", "go1.26.0-amd64", "2023-06-01", "stainless-go-retry-0123",
		"google-genai-sdk/1.77.0 gl-go/1.26.0", "retry 1",
	}, " | ")
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	body := `{"error":"` + echo + `"}`
	rt := New(answer(403, "application/json", strings.NewReader(body), nil), fakeWire{}, Config{})
	readAll(t, callWith(t, ctx, rt, header))
	got := llmtest.Find(t, rec, "fake.complete").StatusMessage
	assert.Equal(t, "Forbidden: denied: "+strings.Join([]string{
		placeholder, placeholder, placeholder, placeholder,
		placeholder, placeholder, placeholder, placeholder,
		"application/json", "OpenAI/Go 3.74.0", "go1.26.0-amd64", "2023-06-01", "stainless-go-retry-0123",
		"google-genai-sdk/1.77.0 gl-go/1.26.0", "retry 1",
	}, " | "), got)
}

// TestSigV4PartsAreRedacted: a server that quotes a SigV4 signature, or
// the credential scope, on its own does not carry it into a span, nor a
// session token of temporary credentials.
func TestSigV4PartsAreRedacted(t *testing.T) {
	t.Parallel()
	const (
		signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
		scope     = "AKIDEXAMPLE0123/20261206/us-east-1/bedrock/aws4_request"
		token     = "IQoJb3JpZ2luX2VjEXAMPLEsessiontoken0123456789"
	)
	header := http.Header{
		"Authorization": {"AWS4-HMAC-SHA256 Credential=" + scope +
			", SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=" + signature},
		"X-Amz-Security-Token": {token},
	}
	ctx, rec := langfusetest.New(t)
	body := `{"message":"The request signature we calculated does not match ` + signature +
		` for AKIDEXAMPLE0123 in ` + scope + ` with ` + token + `"}`
	rt := New(answer(403, "application/json", strings.NewReader(body), nil), textWire{}, Config{})
	readAll(t, callWith(t, ctx, rt, header))
	got := llmtest.Find(t, rec, "fake.complete").StatusMessage
	for _, s := range []string{signature, scope, "AKIDEXAMPLE0123", token} {
		assert.NotContains(t, got, s)
	}
	assert.Contains(t, got, "The request signature we calculated does not match "+placeholder)
}
