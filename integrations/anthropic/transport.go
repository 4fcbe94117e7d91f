package langfuseanthropic

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

// NewTransport returns an http.RoundTripper that records every call of the
// Anthropic Messages API that passes through it as a generation named
// "anthropic.messages", a child of the observation in the request's
// context, and sends every request on through base (http.DefaultTransport
// when nil). Other requests, and every request while tracing is off, pass
// through untouched. opts configure it (WithObservationOptions,
// WithCaptureMaxBytes). The returned transport is safe for concurrent use.
func NewTransport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	return llmhttp.New(base, provider{}, llmhttp.Configure(opts, Option.apply))
}

// operationName is the name of every recorded Messages call.
const operationName = "anthropic.messages"

// provider reads the Anthropic Messages wire for llmhttp.
type provider struct{}

// Operation recognises a Messages call: a POST to a path ending in
// /v1/messages (the Anthropic API and servers that speak its wire), or a
// Vertex AI rawPredict or streamRawPredict call of an Anthropic model, whose
// body is a Messages request with the model named in the URL.
func (provider) Operation(r *http.Request) (llmhttp.Operation, bool) {
	if r.Method != http.MethodPost || r.URL == nil {
		return llmhttp.Operation{}, false
	}
	p := r.URL.Path
	if strings.HasSuffix(p, "/v1/messages") {
		return llmhttp.Operation{Name: operationName, Type: observe.TypeGeneration}, true
	}
	if model, ok := vertexModel(r.URL); ok {
		return llmhttp.Operation{Name: operationName, Type: observe.TypeGeneration, Model: model}, true
	}
	return llmhttp.Operation{}, false
}

// vertexModel returns the model of a Vertex AI call such as
// /v1/projects/P/locations/L/publishers/anthropic/models/M:streamRawPredict.
// Token counting (model "count-tokens") is no model call.
func vertexModel(u *url.URL) (string, bool) {
	const marker = "/publishers/anthropic/models/"
	p := u.EscapedPath()
	i := strings.LastIndex(p, marker)
	if i < 0 {
		return "", false
	}
	rest := p[i+len(marker):]
	var model string
	switch {
	case strings.HasSuffix(rest, ":rawPredict"):
		model = strings.TrimSuffix(rest, ":rawPredict")
	case strings.HasSuffix(rest, ":streamRawPredict"):
		model = strings.TrimSuffix(rest, ":streamRawPredict")
	default:
		return "", false
	}
	if model == "" || model == "count-tokens" || strings.Contains(model, "/") {
		return "", false
	}
	if m, err := url.PathUnescape(model); err == nil {
		model = m
	}
	return model, true
}

// Framing reads a text/event-stream answer as server-sent events, and any
// other as one whole body.
func (provider) Framing(_ llmhttp.Operation, resp *http.Response) llmhttp.Framing {
	return llmhttp.FrameSSE(resp)
}
