package langfusegenai

import (
	"net/http"
	"strings"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

// NewTransport returns a transport that records the Gemini API and Vertex
// AI model calls sent through it as generations (embeddings for the embed
// methods), each a child of the observation in its request's context, and
// sends every request on through base (http.DefaultTransport when nil).
// opts configure it (WithObservationOptions, WithCaptureMaxBytes). The
// transport is safe for concurrent use.
func NewTransport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	return llmhttp.New(base, provider{}, llmhttp.Configure(opts, Option.apply))
}

// The methods of the generateContent wire that are model calls.
const (
	kindGenerate = iota
	kindStream
	kindEmbed
	kindBatchEmbed
)

// provider reads the Gemini API and Vertex AI generateContent wire.
type provider struct{}

// methods maps the method after the colon of a model's URL to the
// operation recorded for it. countTokens and everything else pass through.
var methods = map[string]struct {
	name string
	typ  observe.Type
	kind int
}{
	"generateContent":       {"genai.generateContent", observe.TypeGeneration, kindGenerate},
	"streamGenerateContent": {"genai.streamGenerateContent", observe.TypeGeneration, kindStream},
	"embedContent":          {"genai.embedContent", observe.TypeEmbedding, kindEmbed},
	"batchEmbedContents":    {"genai.embedContent", observe.TypeEmbedding, kindBatchEmbed},
}

// Operation recognises POST {version}/models/{model}:{method} (Gemini
// API) and {version}/projects/{p}/locations/{l}/publishers/{pub}/models/{model}:{method}
// (Vertex AI), and the tuned model and endpoint forms of both.
func (provider) Operation(r *http.Request) (llmhttp.Operation, bool) {
	if r.Method != http.MethodPost || r.URL == nil {
		return llmhttp.Operation{}, false
	}
	model, method, ok := splitModelPath(r.URL.Path)
	if !ok {
		return llmhttp.Operation{}, false
	}
	m, ok := methods[method]
	if !ok {
		return llmhttp.Operation{}, false
	}
	return llmhttp.Operation{Name: m.name, Type: m.typ, Model: model, Kind: m.kind}, true
}

// splitModelPath splits a path ending in ".../models/{model}:{method}"
// into model and method. A resource of another collection than models
// (tunedModels/x, endpoints/123) is named with its collection.
func splitModelPath(path string) (model, method string, ok bool) {
	slash := strings.LastIndexByte(path, '/')
	if slash < 0 {
		return "", "", false
	}
	last := path[slash+1:]
	colon := strings.LastIndexByte(last, ':')
	if colon <= 0 || colon == len(last)-1 {
		return "", "", false
	}
	model, method = last[:colon], last[colon+1:]
	collection := path[:slash]
	if i := strings.LastIndexByte(collection, '/'); i >= 0 {
		collection = collection[i+1:]
	}
	if collection != "models" && collection != "" {
		model = collection + "/" + model
	}
	return model, method, true
}

// Framing reads a text/event-stream answer as server-sent events, and any
// other as one whole body.
func (provider) Framing(_ llmhttp.Operation, resp *http.Response) llmhttp.Framing {
	return llmhttp.FrameSSE(resp)
}
