package langfuseollama

import (
	"net/http"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

// NewTransport returns an http.RoundTripper that records every call of
// Ollama's native API that passes through it (/api/chat, /api/generate,
// /api/embed) as a Langfuse observation, a child of the observation in the
// request's context, and sends every request on through base
// (http.DefaultTransport when nil). Other requests, and every request
// while tracing is off, pass through untouched. opts configure it
// (WithObservationOptions, WithCaptureMaxBytes). The returned transport is
// safe for concurrent use.
func NewTransport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	return llmhttp.New(base, provider{}, llmhttp.Configure(opts, Option.apply))
}

// The operations of Ollama's API that are recorded.
const (
	kindChat = iota
	kindGenerate
	kindEmbed
)

// provider reads Ollama's native wire format for llmhttp.
type provider struct{}

// routes are the calls of Ollama's API that are recorded.
var routes = [...]llmhttp.Route{
	{Suffix: "/api/chat", Op: llmhttp.Operation{Name: "ollama.chat", Type: observe.TypeGeneration, Kind: kindChat}},
	{Suffix: "/api/generate", Op: llmhttp.Operation{Name: "ollama.generate", Type: observe.TypeGeneration, Kind: kindGenerate}},
	{Suffix: "/api/embed", Op: llmhttp.Operation{Name: "ollama.embed", Type: observe.TypeEmbedding, Kind: kindEmbed}},
}

// Operation matches a POST by the end of its URL path, so that a server
// behind a proxy's path prefix is recognised too.
func (provider) Operation(r *http.Request) (llmhttp.Operation, bool) {
	op, _, ok := llmhttp.MatchRoute(r, routes[:])
	return op, ok
}

// Framing reads a chat or generate answer sent as newline-delimited JSON
// (application/x-ndjson, what Ollama streams) line by line, and any other
// answer, embeddings always among them, as one whole body.
func (provider) Framing(op llmhttp.Operation, resp *http.Response) llmhttp.Framing {
	if op.Kind == kindEmbed {
		return nil
	}
	switch llmhttp.MediaType(resp) {
	case "application/x-ndjson", "application/jsonl", "application/json-lines":
		return llmhttp.NDJSON
	}
	return nil
}
