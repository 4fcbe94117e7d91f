package llmhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/observe-go/langfuse/observe"
)

// observedBody is the response body handed to the SDK. It passes the
// body through byte for byte, as it arrives, while its bodyState reads
// along. When the SDK drops it without reading it to its end or closing
// it, a cleanup ends the generation once it is collected, as ObserveSeq
// does for an abandoned sequence.
type observedBody struct {
	s       *bodyState
	cleanup runtime.Cleanup
}

// bodyState reads a response body along with the SDK: a whole JSON body
// is kept (up to maxResponseBody) and parsed at its end, a stream's
// events are read one by one. The generation ends once: at EOF, at a read
// error, when the body is closed, or when the body is collected unclosed.
// Nothing in it refers to the observedBody, which could then never be
// collected.
type bodyState struct {
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
	keep    *Budget   // what the stream keeps
	framer  Framer    // splits a stream into events
	first   time.Time // when the first event arrived
	buf     []byte    // a whole body read so far
	tooLong bool      // the whole body passed maxResponseBody
	note    string    // why the output is not recorded, if it is not
}

func newObservedBody(c *credentials, resp *http.Response, p Provider, op Operation, gen *observe.Observation, keep int) *observedBody {
	s := &bodyState{rc: resp.Body, p: p, op: op, gen: gen, creds: c}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && enc != "identity" && !resp.Uncompressed {
		s.note = "[" + enc + "-encoded response not recorded]"
	}
	if framing := p.Framing(op, resp); framing != nil {
		s.keep = newBudget(keep, c)
		s.stream = p.Stream(op, s.keep)
		s.framer = framing(s.event)
	}
	b := &observedBody{s: s}
	b.cleanup = runtime.AddCleanup(b, (*bodyState).abandon, s)
	return b
}

func (b *observedBody) Read(p []byte) (int, error) {
	n, ended, err := b.s.read(p)
	if ended {
		b.cleanup.Stop()
	}
	runtime.KeepAlive(b) // not abandoned while it is being read
	return n, err
}

// Close closes the body. Closing a stream before its end records what
// arrived until then, at level WARNING.
func (b *observedBody) Close() error {
	b.cleanup.Stop()
	return b.s.close()
}

// read reads from the body and along with the SDK; ended reports that
// this read ended the generation.
func (s *bodyState) read(p []byte) (n int, ended bool, err error) {
	n, err = s.rc.Read(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return n, false, err
	}
	if n > 0 && s.note == "" {
		s.take(p[:n])
	}
	switch {
	case errors.Is(err, io.EOF):
		s.end(nil)
	case err != nil:
		s.end(err)
	}
	return n, s.ended, err
}

func (s *bodyState) close() error {
	err := s.rc.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.end(errClosedEarly)
	}
	return err
}

// abandon ends the generation of a body that was collected before it was
// read to its end or closed. It runs on the runtime's cleanup goroutine.
// The body itself is left as it was: closing it would be a change the
// caller did not ask for.
func (s *bodyState) abandon() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.end(errAbandoned)
	}
}

// take reads along with the SDK.
func (b *bodyState) take(p []byte) {
	if b.stream != nil {
		b.framer.Write(p)
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

func (b *bodyState) event(event string, data []byte) {
	if b.first.IsZero() {
		b.first = time.Now()
	}
	b.stream.Event(event, b.creds.redactBytes(data))
}

// end ends the generation with what the body came to; cause is nil at
// EOF, errClosedEarly when the caller closed the body first, errAbandoned
// when it dropped it, or the read error.
func (b *bodyState) end(cause error) {
	b.ended = true
	var r Result
	switch {
	case b.note != "":
		r.Output = b.note
	case b.stream != nil:
		if cause == nil {
			b.framer.End()
		}
		r = b.stream.Result()
		if skipped := b.framer.Skipped(); skipped > 0 {
			r.Metadata = withEntry(r.Metadata, "langfuse_skipped_events", skipped)
		}
		if b.keep.Spent() {
			// What the client records of an output was kept; the rest of
			// the answer passed by.
			r.Metadata = withEntry(r.Metadata, "langfuse_output_cut", b.keep.Limit())
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
	case errors.Is(cause, errAbandoned):
		// Whole or not, its end time is when it was collected.
		opts = append(opts, observe.WithLevel(observe.LevelWarning), observe.WithStatusMessage(cause.Error()))
	case cause == nil, errors.Is(cause, errClosedEarly) && (r.Ended || b.stream == nil):
		// a whole answer: read to EOF, or closed after its last event
	case errors.Is(cause, errClosedEarly):
		opts = append(opts, observe.WithLevel(observe.LevelWarning), observe.WithStatusMessage(cause.Error()))
	case b.canceled(cause):
		if !r.Ended {
			opts = append(opts, observe.WithLevel(observe.LevelWarning), observe.WithStatusMessage(errCanceled.Error()))
		}
	default:
		opts = append(opts, observe.WithLevel(observe.LevelError),
			observe.WithStatusMessage("reading the response: "+b.creds.redact(cause.Error())))
	}
	b.gen.End(opts...)
}

// canceled reports whether the read error cause comes of the caller
// canceling the request's context (net/http's bodies then fail with the
// context's error): the caller hung up, which is no failure of the call.
// A deadline that passed is one, and stays an error.
func (b *bodyState) canceled(cause error) bool {
	return errors.Is(cause, context.Canceled)
}

func withEntry(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = make(map[string]any, 1)
	}
	m[k] = v
	return m
}
