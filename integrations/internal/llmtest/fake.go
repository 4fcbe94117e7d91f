package llmtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// FakeAPI is a model API on 127.0.0.1, stopped when the test ends. It
// keeps every request it gets, then hands it to its handler with the body
// still to read.
type FakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
}

// Request is a request as a FakeAPI got it.
type Request struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// NewFakeAPI starts a FakeAPI that answers with h.
func NewFakeAPI(tb testing.TB, h http.HandlerFunc) *FakeAPI {
	tb.Helper()
	f := &FakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}))
	tb.Cleanup(f.Close)
	return f
}

// Requests returns the requests f got so far, in order.
func (f *FakeAPI) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// Calls is how many requests f got so far.
func (f *FakeAPI) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// Routes answers each request with the handler of its URL path, and any
// other path with a 404 whose JSON body names it.
func Routes(routes map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		WriteJSON(w, http.StatusNotFound, `{"error":{"message":"Invalid URL (`+r.Method+" "+r.URL.Path+`)","type":"invalid_request_error","param":null,"code":null}}`)
	}
}

// Sequence answers each request with the next of handlers, and with the
// last one again when they run out.
func Sequence(handlers ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	calls := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handlers[min(calls, len(handlers)-1)]
		calls++
		mu.Unlock()
		h(w, r)
	}
}

// WriteJSON answers with status and a JSON body.
func WriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// JSON is a handler that answers with status and a JSON body.
func JSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { WriteJSON(w, status, body) }
}

// WriteEventStreamHead answers 200 with the headers of a stream of
// server-sent events.
func WriteEventStreamHead(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
}

// EventStream is a handler that answers with a stream of server-sent
// events, writing and flushing each of pieces (whole events, as the
// caller frames them) on its own, as the APIs stream them.
func EventStream(pieces ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		WriteEventStreamHead(w)
		for _, p := range pieces {
			_, _ = io.WriteString(w, p)
			w.(http.Flusher).Flush()
		}
	}
}

// RoundTripFunc is a base transport made of a function.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Static is a base transport that reads each request's body and answers
// 200 with contentType and body, from memory.
func Static(contentType, body string) http.RoundTripper {
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		return &http.Response{
			StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {contentType}},
			Body:    io.NopCloser(strings.NewReader(body)),
			Request: r,
		}, nil
	})
}
