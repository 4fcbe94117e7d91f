// Package llmhttp is the part of the model SDK transports that every wire
// format shares: it starts a generation for each model call a provider
// recognises, reads the request to record its model, parameters and
// input, passes the response through to the SDK as it arrives, and ends
// the generation with the output, usage and errors when the response has
// been read to its end, closed early, or has failed.
//
// A wire format is a Provider: which requests are model calls, how their
// bodies read, and how a streamed answer is framed into events (SSE and
// NDJSON are here; a framing of its own, such as AWS event-stream
// messages, is a Framer). A new integration is one package with a
// Provider and the options of its NewTransport.
package llmhttp

import (
	"net/http"
	"strings"

	"github.com/observe-go/langfuse/observe"
)

// Provider knows one wire format: which requests are model calls, and how
// to read their bodies. Its methods are called from any goroutine and must
// not keep the byte slices they are given.
type Provider interface {
	// Operation says whether r is a model call worth an observation, and
	// if so its name and type (generation or embedding). Only the method,
	// URL and headers of r may be read; its body is not read yet.
	Operation(r *http.Request) (op Operation, ok bool)
	// Request reads the JSON body of a model call.
	Request(op Operation, body []byte) Request
	// Response reads the whole JSON body of a successful response.
	Response(op Operation, body []byte) Result
	// Framing says how the body of resp, a successful answer to op, is
	// framed into events: SSE, NDJSON or a framing of the provider's own;
	// nil when it is one whole body, read by Response at its end. Only
	// the status and headers of resp may be read.
	Framing(op Operation, resp *http.Response) Framing
	// Stream returns a reader of one streamed response's events, which
	// keeps what it accumulates within keep (nil: no bound).
	Stream(op Operation, keep *Budget) Stream
	// ErrorMessage returns the API's own message from an error response's
	// body, or "" when the body holds none.
	ErrorMessage(status int, body []byte) string
}

// Operation is a model call a provider recognised.
type Operation struct {
	Name string       // the observation's name, such as "openai.chat.completions"
	Type observe.Type // observe.TypeGeneration or observe.TypeEmbedding
	// Model is the model named in the URL, when the wire puts it there
	// (Gemini); the request body's model wins over it.
	Model string
	// Kind tells the provider's operations apart, for its own use.
	Kind int
}

// Route is a model call recognised by how its URL path ends.
type Route struct {
	Suffix string    // such as "/chat/completions"
	Op     Operation // what a call of it is
}

// MatchRoute returns the operation of the first of routes whose suffix
// ends r's URL path (a trailing slash left out), and the path before
// that suffix, when r is a POST: so that any base URL works (an API
// version, a proxy's path prefix, a deployment's path). ok is false for
// another method and for a path no route ends.
func MatchRoute(r *http.Request, routes []Route) (op Operation, prefix string, ok bool) {
	if r.Method != http.MethodPost || r.URL == nil {
		return Operation{}, "", false
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	for _, route := range routes {
		if prefix, ok := strings.CutSuffix(path, route.Suffix); ok {
			return route.Op, prefix, true
		}
	}
	return Operation{}, "", false
}

// Request is what a model call's request body says.
type Request struct {
	Model  string
	Params map[string]any // temperature, max tokens, tools offered, ...
	Input  any            // the messages, recorded as the input
	// Metadata is recorded as the observation's metadata, beside what the
	// transport's options give.
	Metadata map[string]any
}

// Result is what a response says, whole or streamed.
type Result struct {
	Model  string // the model that answered, when the response names it
	Output any    // the assistant message or tool calls; nil when none
	Usage  map[string]int
	// Error is an error the response reports inside a successful HTTP
	// answer (an error event in a stream); "" when none.
	Error    string
	Metadata map[string]any // finish reason, response id, ...
	// Ended says that a stream's events reached its end (a final event,
	// or a last chunk with a finish reason), so that the caller closing
	// the body before reading to EOF did not cut the answer short. A
	// stream that reaches EOF without it is recorded at WARNING.
	Ended bool
}

// Stream reads the events of one streamed response, in order, as its
// Framer hands them on, and says what they came to. It is used by one
// goroutine at a time.
type Stream interface {
	// Event takes one event: its name ("" when the framing gives none;
	// the event field of a server-sent event) and its data (the data
	// lines of a server-sent event joined by "\n", a line of NDJSON),
	// which it must not keep.
	Event(event string, data []byte)
	// Result is what the events read so far came to.
	Result() Result
}
