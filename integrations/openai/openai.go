package langfuseopenai

import (
	"net/http"
	"strings"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

// NewTransport returns a transport that records every OpenAI API model
// call sent through it as a Langfuse observation, a child of the
// observation in the request's context, and sends every request on
// through base (http.DefaultTransport when nil). Requests that are not
// model calls, and all requests while tracing is off, pass through
// untouched. opts configure it (WithObservationOptions,
// WithCaptureMaxBytes). The transport is safe for concurrent use.
func NewTransport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	return llmhttp.New(base, provider{}, llmhttp.Configure(opts, Option.apply))
}

// The operations of the OpenAI wire that are recorded.
const (
	kindChat = iota
	kindResponses
	kindEmbeddings
	kindAny // what holds for every kind
)

// provider reads the OpenAI wire format.
type provider struct{}

// routes are the calls of the OpenAI wire that are recorded.
var routes = [...]llmhttp.Route{
	{Suffix: "/chat/completions", Op: llmhttp.Operation{Name: "openai.chat.completions", Type: observe.TypeGeneration, Kind: kindChat}},
	{Suffix: "/responses", Op: llmhttp.Operation{Name: "openai.responses", Type: observe.TypeGeneration, Kind: kindResponses}},
	{Suffix: "/embeddings", Op: llmhttp.Operation{Name: "openai.embeddings", Type: observe.TypeEmbedding, Kind: kindEmbeddings}},
}

// Operation matches a POST by the end of its URL path, so that any base
// URL works: api.openai.com/v1, Azure OpenAI's
// /openai/deployments/{deployment}/..., and OpenAI-compatible servers.
func (provider) Operation(r *http.Request) (llmhttp.Operation, bool) {
	op, prefix, ok := llmhttp.MatchRoute(r, routes[:])
	if ok {
		op.Model = azureDeployment(prefix)
	}
	return op, ok
}

// azureDeployment returns the deployment named by an Azure OpenAI path
// (.../deployments/{deployment}), which stands for the model when the
// request body names none; "" for other paths.
func azureDeployment(prefix string) string {
	i := strings.LastIndexByte(prefix, '/')
	if i < 0 || !strings.HasSuffix(prefix[:i], "/deployments") {
		return ""
	}
	return prefix[i+1:]
}

// Framing reads a text/event-stream answer as server-sent events, and any
// other as one whole body.
func (provider) Framing(_ llmhttp.Operation, resp *http.Response) llmhttp.Framing {
	return llmhttp.FrameSSE(resp)
}
