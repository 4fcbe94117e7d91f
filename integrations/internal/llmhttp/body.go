package llmhttp

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/observe-go/langfuse/observe"
)

// observedBody passes a response body through to the SDK byte for byte,
// as it arrives, and reads along: a whole JSON body is kept (up to
// maxResponseBody) and parsed at its end, a stream's events are read one
// by one. The generation ends once: at EOF, at a read error, or when the
// body is closed.
type observedBody struct {
	rc  io.ReadCloser
	p   Provider
	op  Operation
	gen *observe.Observation
	// creds are the request's secrets, which nothing recorded may carry:
	// every event and body is redacted whole before it is read.
	creds *credentials

	mu      sync.Mutex
	ended   bool
	stream  Stream    // nil for a whole JSON body
	sse     sseReader // splits a stream into events
	first   time.Time // when the first event arrived
	buf     []byte    // a whole body read so far
	tooLong bool      // the whole body passed maxResponseBody
	note    string    // why the output is not recorded, if it is not
}

func newObservedBody(c *credentials, resp *http.Response, p Provider, op Operation, gen *observe.Observation) *observedBody {
	b := &observedBody{rc: resp.Body, p: p, op: op, gen: gen, creds: c}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && enc != "identity" && !resp.Uncompressed {
		b.note = "[" + enc + "-encoded response not recorded]"
	}
	if strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/event-stream") {
		b.stream = p.Stream(op)
		b.sse.onEvent = b.event
	}
	return b
}

func (b *observedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended {
		return n, err
	}
	if n > 0 && b.note == "" {
		b.take(p[:n])
	}
	switch {
	case errors.Is(err, io.EOF):
		b.end(nil)
	case err != nil:
		b.end(err)
	}
	return n, err
}

// Close closes the body. Closing a stream before its end records what
// arrived until then, at level WARNING.
func (b *observedBody) Close() error {
	err := b.rc.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.ended {
		b.end(errClosedEarly)
	}
	return err
}

// take reads along with the SDK.
func (b *observedBody) take(p []byte) {
	if b.stream != nil {
		b.sse.write(p)
		return
	}
	if b.tooLong {
		return
	}
	if len(b.buf)+len(p) > maxResponseBody {
		b.tooLong, b.buf = true, nil
		return
	}
	b.buf = append(b.buf, p...)
}

func (b *observedBody) event(event string, data []byte) {
	if b.first.IsZero() {
		b.first = time.Now()
	}
	b.stream.Event(event, b.creds.redactBytes(data))
}

// end ends the generation with what the body came to; cause is nil at
// EOF, errClosedEarly when the caller closed the body first, or the read
// error.
func (b *observedBody) end(cause error) {
	b.ended = true
	var r Result
	switch {
	case b.note != "":
		r.Output = b.note
	case b.stream != nil:
		if cause == nil {
			b.sse.flush()
		}
		r = b.stream.Result()
		if skipped := b.sse.skipped; skipped > 0 {
			r.Metadata = withEntry(r.Metadata, "langfuse_skipped_events", skipped)
		}
	case b.tooLong:
		r.Output = fmt.Sprintf("[response body over %d bytes not recorded]", maxResponseBody)
	case len(b.buf) > 0:
		r = b.p.Response(b.op, b.creds.redactBytes(b.buf))
		r.Ended = true
		b.buf = nil
	}
	if r.Error != "" {
		r.Error = b.creds.redact(r.Error)
	}
	recordAnsweringModel(b.gen, r.Model)
	opts := resultOptions(r, b.first)
	switch {
	case r.Error != "":
		// the response's own error, already in opts
	case cause == nil && b.stream != nil && !r.Ended && b.note == "":
		// The server closed the stream cleanly, but before its last event.
		opts = append(opts, observe.WithLevel(observe.LevelWarning), observe.WithStatusMessage(errEndedEarly.Error()))
	case cause == nil, errors.Is(cause, errClosedEarly) && (r.Ended || b.stream == nil):
		// a whole answer: read to EOF, or closed after its last event
	case errors.Is(cause, errClosedEarly):
		opts = append(opts, observe.WithLevel(observe.LevelWarning), observe.WithStatusMessage(cause.Error()))
	default:
		opts = append(opts, observe.WithLevel(observe.LevelError),
			observe.WithStatusMessage("reading the response: "+b.creds.redact(cause.Error())))
	}
	b.gen.End(opts...)
}

func withEntry(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = make(map[string]any, 1)
	}
	m[k] = v
	return m
}
