package langfuseollama

import (
	"net/http"
	"strings"

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

var operations = [...]struct {
	suffix string
	op     llmhttp.Operation
}{
	{"/api/chat", llmhttp.Operation{Name: "ollama.chat", Type: observe.TypeGeneration, Kind: kindChat}},
	{"/api/generate", llmhttp.Operation{Name: "ollama.generate", Type: observe.TypeGeneration, Kind: kindGenerate}},
	{"/api/embed", llmhttp.Operation{Name: "ollama.embed", Type: observe.TypeEmbedding, Kind: kindEmbed}},
}

// Operation matches a POST by the end of its URL path, so that a server
// behind a proxy's path prefix is recognised too.
func (provider) Operation(r *http.Request) (llmhttp.Operation, bool) {
	if r.Method != http.MethodPost || r.URL == nil {
		return llmhttp.Operation{}, false
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	for _, o := range operations {
		if strings.HasSuffix(path, o.suffix) {
			return o.op, true
		}
	}
	return llmhttp.Operation{}, false
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
