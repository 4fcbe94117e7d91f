package llmhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// Bounds on what the transport reads for its own use. The SDK always gets
// every byte; past these bounds the transport only stops recording.
const (
	// maxRequestBody is the largest request body that is parsed for its
	// model, parameters and input.
	maxRequestBody = 16 << 20
	// maxResponseBody is the largest whole (not streamed) response body
	// that is kept for parsing as it passes through.
	maxResponseBody = 16 << 20
	// maxErrorBody is how much of an error response is read for the API's
	// message before the body is handed on.
	maxErrorBody = 64 << 10
	// maxEvent is the largest server-sent event that is parsed; a longer
	// one is skipped and counted.
	maxEvent = 4 << 20
)

// Transport observes the model calls that pass through it as generations.
// It is safe for concurrent use.
type Transport struct {
	base http.RoundTripper
	p    Provider
	opts []observe.Option
	keep int // bytes of a streamed answer kept for the record
}

// New returns a transport that observes the calls p recognises and sends
// every request on through base (http.DefaultTransport when nil), as c
// says.
func New(base http.RoundTripper, p Provider, c Config) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	keep := c.Keep
	if keep <= 0 {
		keep = KeepFromEnv()
	}
	return &Transport{base: base, p: p, opts: append([]observe.Option(nil), c.Observe...), keep: min(keep, maxKeep)}
}

// RoundTrip sends req through the base transport. A model call is
// observed as a child of the observation in req's context; everything
// else, and every call while tracing is off, passes through untouched.
// The response is returned as the base transport returned it, with a body
// that yields the same bytes.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	op, ok := t.p.Operation(req)
	if !ok {
		return t.base.RoundTrip(req)
	}
	var buf [8]observe.Option // no allocation for the usual few options
	opts := append(buf[:0], observe.AsType(op.Type), observe.ObeyCaptureSwitches())
	if op.Model != "" {
		opts = append(opts, observe.WithModel(op.Model))
	}
	opts = append(opts, t.opts...)
	ctx, gen := observe.Start(req.Context(), op.Name, opts...)
	if !gen.IsRecording() {
		return t.base.RoundTrip(req)
	}
	out := req.WithContext(ctx) // calls made below nest under the generation
	creds := credentialsOf(req)
	body, err := readRequestBody(req, out)
	if err != nil {
		gen.RecordError(recordable(creds, err))
		gen.End()
		return nil, err
	}
	recordRequest(gen, t.p, op, req, body)

	resp, err := t.base.RoundTrip(out)
	if err != nil {
		// A *url.Error quotes the URL, which may hold a key.
		gen.RecordError(recordable(creds, err))
		gen.End()
		return resp, err
	}
	if resp.StatusCode >= 400 {
		endWithHTTPError(gen, t.p, creds, resp)
		return resp, nil
	}
	resp.Body = newObservedBody(creds, resp, t.p, op, gen, t.keep)
	return resp, nil
}

// recordRequest records what the request body says on gen. It is done
// before the request is sent, on the caller's goroutine: reading it on
// another one while the request is on its way was measured to delay the
// answer's headers more than the reading takes, two cores being shared
// with the SDK and the network. A panic in the provider's reading is
// contained: the call goes on, and the panic is noted on gen.
func recordRequest(gen *observe.Observation, p Provider, op Operation, req *http.Request, body []byte) {
	defer func() {
		if r := recover(); r != nil {
			gen.Update(observe.WithMetadata(map[string]any{"langfuse_request_unread": fmt.Sprint("panic: ", r)}))
		}
	}()
	gen.Update(requestOptions(p, op, req, body)...)
}

// readRequestBody returns the body of req up to maxRequestBody bytes, nil
// when it is longer. It reads req.Body and gives out a body that replays
// it. GetBody is not used for a copy: a GetBody may hand out the reader
// that req.Body reads too, sought back to its start (anthropic-sdk-go's
// Vertex AI middleware and its *bytes.Reader bodies do), so that reading
// it would leave req.Body empty.
func readRequestBody(req, out *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBody+1))
	if err != nil {
		_ = req.Body.Close()
		return nil, fmt.Errorf("langfuse: reading the request body: %w", err)
	}
	if len(b) <= maxRequestBody {
		// Read whole: send it from memory, which net/http writes in one
		// packet with the headers (a body of another type has the
		// headers flushed on their own first).
		_ = req.Body.Close()
		out.Body = io.NopCloser(bytes.NewReader(b))
		return b, nil
	}
	// Too long to keep: send on what was read followed by the rest.
	out.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), req.Body), req.Body}
	return nil, nil
}

// requestOptions records what the request body says.
func requestOptions(p Provider, op Operation, req *http.Request, body []byte) []observe.Option {
	if body == nil {
		if req.ContentLength > maxRequestBody {
			return []observe.Option{observe.WithInput(fmt.Sprintf("[request body of %d bytes not recorded]", req.ContentLength))}
		}
		return nil
	}
	if enc := req.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return []observe.Option{observe.WithInput("[" + enc + "-encoded request body not recorded]")}
	}
	r := p.Request(op, body)
	opts := make([]observe.Option, 0, 4)
	if r.Model != "" {
		opts = append(opts, observe.WithModel(r.Model))
	}
	if len(r.Params) > 0 {
		opts = append(opts, observe.WithModelParameters(r.Params))
	}
	if r.Input != nil {
		opts = append(opts, observe.WithInput(r.Input))
	}
	if len(r.Metadata) > 0 {
		opts = append(opts, observe.WithMetadata(r.Metadata))
	}
	return opts
}

// endWithHTTPError ends gen at level ERROR with the API's message from an
// error response, and leaves resp.Body yielding every byte of the body.
// The credentials c are taken out of the body before the provider reads
// it, and out of the message it makes.
func endWithHTTPError(gen *observe.Observation, p Provider, c *credentials, resp *http.Response) {
	head, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), errReader{err}, resp.Body), resp.Body}
	msg := resp.Status
	if msg == "" {
		msg = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	clean := c.redactBytes(head)
	if len(head) == maxErrorBody {
		clean = c.trimCut(clean) // the body goes on past what was read
	}
	if m := strings.TrimSpace(p.ErrorMessage(resp.StatusCode, clean)); m != "" {
		msg += ": " + m
	}
	// The message again: a provider may have decoded escapes that spelled
	// a secret, and the status line is the server's text too.
	gen.End(observe.WithLevel(observe.LevelError), observe.WithStatusMessage(c.redact(msg)))
}

// errReader returns err once, or nothing when err is nil: the read error
// met while looking at an error body reaches the SDK where it happened.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

// genAIResponseModel is the OpenTelemetry GenAI attribute of the model
// that answered, beside gen_ai.request.model, the model asked for.
const genAIResponseModel = "gen_ai.response.model"

// recordAnsweringModel records model, the model a response names, as the
// observation's model, which Langfuse shows and prices, and as
// gen_ai.response.model. gen_ai.request.model keeps the model the request
// asked for (observe.WithModel would write both), as the GenAI semantic
// conventions tell them apart: "gpt-4o" asked for, "gpt-4o-2024-08-06"
// answered.
func recordAnsweringModel(gen *observe.Observation, model string) {
	if model == "" {
		return
	}
	gen.Span().SetAttributes(
		attribute.String(semconv.ObservationModel, model),
		attribute.String(genAIResponseModel, model))
}

// resultOptions records what a response came to, but for the model that
// answered (recordAnsweringModel).
func resultOptions(r Result, first time.Time) []observe.Option {
	opts := make([]observe.Option, 0, 6)
	if r.Output != nil {
		opts = append(opts, observe.WithOutput(r.Output))
	}
	if len(r.Usage) > 0 {
		opts = append(opts, observe.WithUsage(r.Usage))
	}
	if !first.IsZero() {
		opts = append(opts, observe.WithCompletionStartTime(first))
	}
	if len(r.Metadata) > 0 {
		opts = append(opts, observe.WithMetadata(r.Metadata))
	}
	if r.Error != "" {
		opts = append(opts, observe.WithLevel(observe.LevelError), observe.WithStatusMessage(r.Error))
	}
	return opts
}

// errClosedEarly is recorded when the caller closes a stream before its
// end.
var errClosedEarly = errors.New("stream closed by the caller before it ended")

// errAbandoned is recorded when the caller drops a body without reading
// it to its end or closing it.
var errAbandoned = errors.New("response body neither read to its end nor closed; ended when it was garbage-collected")

// errCanceled is recorded when the caller cancels the request's context
// before the answer ended.
var errCanceled = errors.New("request canceled by the caller before the answer ended")

// errEndedEarly is recorded when a stream reaches EOF before the event
// that ends it (Result.Ended).
var errEndedEarly = errors.New("stream ended before its final event")
