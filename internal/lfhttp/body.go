package lfhttp

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// Body is a request body over a buffer of the sender's, which it gets
// back only when nobody reads the buffer any more. The RoundTripper
// contract lets a transport read and close a request's body after
// RoundTrip has returned, as net/http's does when a server answers before
// it has read the whole body; a buffer reused as soon as the answer came
// would then be sent with another request's bytes in it. So the buffer
// goes back once the sender has called Release and every reader handed
// to the transport (the body, and each copy GetBody made for a retry or
// a redirect) has been closed. A transport that never closes a body,
// against the contract, only keeps its buffer from being reused. A Body
// is safe for concurrent use.
type Body struct {
	data    []byte
	refs    atomic.Int64 // the sender's, and one per reader not closed
	release func()
}

// NewBody returns a Body over data; release, if not nil, is called once,
// when the buffer is free again.
func NewBody(data []byte, release func()) *Body {
	b := &Body{data: data, release: release}
	b.refs.Store(1)
	return b
}

// Len is the body's size in bytes.
func (b *Body) Len() int { return len(b.data) }

// Release gives up the sender's hold on the buffer: it goes back once
// every reader has been closed too. Call it once, when the request and
// its retries are done.
func (b *Body) Release() { b.unref() }

func (b *Body) unref() {
	if b.refs.Add(-1) == 0 && b.release != nil {
		b.release()
	}
}

// reader returns a new reader of the body, which holds the buffer until
// it is closed.
func (b *Body) reader() io.ReadCloser {
	b.refs.Add(1)
	r := &bodyReader{b: b}
	r.r.Reset(b.data)
	return r
}

// bodyReader reads a Body until it is closed; a Read after Close fails
// instead of reading a buffer that may belong to another request by then.
type bodyReader struct {
	mu     sync.Mutex
	r      bytes.Reader
	b      *Body
	closed bool
}

func (r *bodyReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	return r.r.Read(p)
}

func (r *bodyReader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	r.b.unref()
	return nil
}
