package langfusebedrock

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/observe-go/langfuse/integrations/internal/claude"
	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

// NewTransport returns an http.RoundTripper that records every call of
// the Amazon Bedrock Runtime API's Converse, ConverseStream, InvokeModel
// and InvokeModelWithResponseStream operations that passes through it as
// a generation ("bedrock.converse" or "bedrock.invoke_model"), a child of
// the observation in the request's context, and sends every request on
// through base (http.DefaultTransport when nil). Other requests, and every
// request while tracing is off, pass through untouched. opts configure it
// (WithObservationOptions, WithCaptureMaxBytes). The returned transport is
// safe for concurrent use.
func NewTransport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	return llmhttp.New(base, provider{}, llmhttp.Configure(opts, Option.apply))
}

// The names of the recorded operations.
const (
	converseName = "bedrock.converse"
	invokeName   = "bedrock.invoke_model"
)

// The kinds of operation, as llmhttp.Operation.Kind.
const (
	kindConverse = iota
	kindConverseStream
	kindInvoke
	kindInvokeStream
)

// provider reads the Bedrock Runtime wire for llmhttp.
type provider struct{}

// Operation recognises a model call: a POST to /model/{modelId}/converse,
// /converse-stream, /invoke or /invoke-with-response-stream, the model id
// (a model, inference profile or ARN, which the SDK escapes into one path
// segment) taken from the path and unescaped.
func (provider) Operation(r *http.Request) (llmhttp.Operation, bool) {
	if r.Method != http.MethodPost || r.URL == nil {
		return llmhttp.Operation{}, false
	}
	model, action, ok := modelPath(r.URL)
	if !ok {
		return llmhttp.Operation{}, false
	}
	op := llmhttp.Operation{Type: observe.TypeGeneration, Model: model}
	switch action {
	case "converse":
		op.Name, op.Kind = converseName, kindConverse
	case "converse-stream":
		op.Name, op.Kind = converseName, kindConverseStream
	case "invoke":
		op.Name, op.Kind = invokeName, kindInvoke
	case "invoke-with-response-stream":
		op.Name, op.Kind = invokeName, kindInvokeStream
	default:
		return llmhttp.Operation{}, false
	}
	return op, true
}

// modelPath splits a path such as /model/anthropic.claude-v2%3A1/invoke
// into its model id, unescaped, and its action.
func modelPath(u *url.URL) (model, action string, ok bool) {
	const marker = "/model/"
	p := u.EscapedPath()
	i := strings.LastIndex(p, marker)
	if i < 0 {
		return "", "", false
	}
	escaped, action, found := strings.Cut(p[i+len(marker):], "/")
	if !found || escaped == "" || strings.Contains(action, "/") {
		return "", "", false
	}
	model, err := url.PathUnescape(escaped)
	if err != nil {
		return "", "", false
	}
	return model, action, true
}

// Framing reads an application/vnd.amazon.eventstream answer of a
// streaming operation as AWS event-stream messages, and any other as one
// whole body.
func (provider) Framing(op llmhttp.Operation, resp *http.Response) llmhttp.Framing {
	if (op.Kind == kindConverseStream || op.Kind == kindInvokeStream) &&
		llmhttp.MediaType(resp) == "application/vnd.amazon.eventstream" {
		return llmhttp.AWSEventStream
	}
	return nil
}

// Request reads a request body: Converse's, or InvokeModel's, which is the
// model family's own (Anthropic Messages JSON for Claude).
func (provider) Request(op llmhttp.Operation, body []byte) llmhttp.Request {
	if op.Kind == kindConverse || op.Kind == kindConverseStream {
		return converseRequest(body)
	}
	return invokeRequest(body)
}

// Response reads a whole response body.
func (provider) Response(op llmhttp.Operation, body []byte) llmhttp.Result {
	if op.Kind == kindConverse || op.Kind == kindConverseStream {
		return converseResponse(body)
	}
	return invokeResponse(body)
}

// Stream returns a reader of one streamed response's events.
func (provider) Stream(op llmhttp.Operation, keep *llmhttp.Budget) llmhttp.Stream {
	if op.Kind == kindConverseStream || op.Kind == kindConverse {
		return &converseStream{keep: keep}
	}
	return &invokeStream{claude: claude.NewStream(keep)}
}
