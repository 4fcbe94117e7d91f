package e2e_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// recordingProxy is a reverse proxy on 127.0.0.1 in front of a collector
// that records every request it forwards and the status of the answer.
type recordingProxy struct {
	// URL is the base URL to give the SDK in place of the collector's.
	URL string

	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recordedRequest
}

// recordedRequest is one request as the proxy saw it.
type recordedRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte // as sent, compressed or not
	Status int    // of the collector's answer
}

// startProxy starts a recordingProxy that forwards to target, closed when
// the test ends.
func startProxy(t *testing.T, target string) *recordingProxy {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &recordingProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rec := recordedRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(sw, r)
		rec.Status = sw.status
		p.mu.Lock()
		p.reqs = append(p.reqs, rec)
		p.mu.Unlock()
	}))
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// requests closes the proxy, which waits for requests in flight, and
// returns every request it forwarded, in order.
func (p *recordingProxy) requests() []recordedRequest {
	p.srv.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]recordedRequest(nil), p.reqs...)
}

// statusWriter remembers the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Flush lets the reverse proxy flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
