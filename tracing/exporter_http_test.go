package tracing_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse/tracing"
)

// namesServer decodes every request, gzip or not, and keeps the span
// names of each, sorted.
func namesServer(t *testing.T) (*httptest.Server, func() [][]string) {
	t.Helper()
	var mu sync.Mutex
	var requests [][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := io.Reader(r.Body)
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		var req coltrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(b, &req)
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var names []string
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					names = append(names, s.GetName())
				}
			}
		}
		sort.Strings(names)
		mu.Lock()
		requests = append(requests, names)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() [][]string {
		mu.Lock()
		defer mu.Unlock()
		return append([][]string(nil), requests...)
	}
}

// TestExportsSideBySideKeepTheirOwnSpans checks that exports running at
// once, as in immediate mode, each send their own spans and nothing else:
// request buffers are reused between exports.
func TestExportsSideBySideKeepTheirOwnSpans(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			srv, requests := namesServer(t)
			cfg := exporterConfig(srv.URL)
			cfg.Gzip = gz
			exp, err := tracing.NewExporter(context.Background(), cfg)
			require.NoError(t, err)
			t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })

			const workers, exports = 8, 20
			want := map[string]bool{}
			var wg sync.WaitGroup
			errs := make(chan error, workers*exports)
			for w := range workers {
				for e := range exports {
					// Batches of different sizes, so that a reused buffer
					// left longer than its request would show.
					n := 1 + (w*exports+e)%7
					var stubs tracetest.SpanStubs
					var names []string
					for i := range n {
						name := fmt.Sprintf("w%d-e%d-s%d", w, e, i)
						names = append(names, name)
						stubs = append(stubs, tracetest.SpanStub{Name: name,
							Attributes: []attribute.KeyValue{attribute.String("pad", fmt.Sprintf("%0*d", 10+100*i, 0))}})
					}
					sort.Strings(names)
					want[fmt.Sprint(names)] = true
					wg.Add(1)
					go func(spans []sdktrace.ReadOnlySpan) {
						defer wg.Done()
						errs <- exp.ExportSpans(context.Background(), spans)
					}(stubs.Snapshots())
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			got := requests()
			require.Len(t, got, workers*exports)
			for _, names := range got {
				assert.True(t, want[fmt.Sprint(names)], "a request holds the spans of exactly one export: %v", names)
				delete(want, fmt.Sprint(names))
			}
		})
	}
}

// TestExporterAfterShutdownSendsNothing checks that an export after
// Shutdown fails at once.
func TestExporterAfterShutdownSendsNothing(t *testing.T) {
	srv, requests := namesServer(t)
	exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
	require.NoError(t, err)
	require.NoError(t, exp.Shutdown(context.Background()))
	require.Error(t, exp.ExportSpans(context.Background(), oneSpan()))
	assert.Empty(t, requests())
}

// TestShutdownCancelsTheExportInFlight checks that Shutdown does not wait
// for a server that does not answer: the export in flight ends with a
// cancellation.
func TestShutdownCancelsTheExportInFlight(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client going away only once it has
		// read the body.
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	cfg := exporterConfig(srv.URL)
	cfg.Timeout = 0 // the default, far longer than this test waits
	exp, err := tracing.NewExporter(context.Background(), cfg)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- exp.ExportSpans(context.Background(), oneSpan()) }()
	<-arrived
	require.NoError(t, exp.Shutdown(context.Background()))
	err = <-done
	require.ErrorIs(t, err, context.Canceled)
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
}

// TestExporterNeedsAnHTTPURL checks that a base URL the exporter cannot
// post to is refused when the exporter is made, naming the variable and
// not echoing the URL, which may hold credentials.
func TestExporterNeedsAnHTTPURL(t *testing.T) {
	for _, base := range []string{"ftp://user:sk-lf-secret@host", "http://", "::", "https://pk:sk-lf-secret@host"} {
		cfg := exporterConfig(base)
		_, err := tracing.NewExporter(context.Background(), cfg)
		require.Error(t, err, base)
		assert.Contains(t, err.Error(), "LANGFUSE_BASE_URL")
		assert.NotContains(t, err.Error(), "secret")
	}
}

// lateReader is a RoundTripper that answers at once and leaves the
// request's body to be read and closed later, as the RoundTripper
// contract allows: net/http's own transport does so when a server answers
// before it has read the whole body.
type lateReader struct{ bodies chan io.ReadCloser }

func (l lateReader) RoundTrip(r *http.Request) (*http.Response, error) {
	l.bodies <- r.Body
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// spanNames returns the span names of an OTLP request body.
func spanNames(t *testing.T, body []byte) []string {
	t.Helper()
	var req coltrace.ExportTraceServiceRequest
	require.NoError(t, proto.Unmarshal(body, &req))
	var names []string
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				names = append(names, s.GetName())
			}
		}
	}
	return names
}

// TestRequestBodyOutlivesTheAnswer checks that the buffer of a request
// body is not reused while the transport may still read it: until it has
// closed the body, even after the answer came.
func TestRequestBodyOutlivesTheAnswer(t *testing.T) {
	const rounds = 16
	rt := lateReader{bodies: make(chan io.ReadCloser, rounds)}
	cfg := exporterConfig("http://127.0.0.1:1") // never dialled
	exp, err := tracing.NewExporter(context.Background(), cfg, tracing.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	for i := range rounds {
		name := fmt.Sprintf("round-%d-%s", i, strings.Repeat("x", 100*i))
		require.NoError(t, exp.ExportSpans(context.Background(), tracetest.SpanStubs{{Name: name}}.Snapshots()))
	}
	close(rt.bodies)
	i := 0
	for body := range rt.bodies {
		b, err := io.ReadAll(body)
		require.NoError(t, err)
		require.NoError(t, body.Close())
		assert.Equal(t, []string{fmt.Sprintf("round-%d-%s", i, strings.Repeat("x", 100*i))}, spanNames(t, b),
			"request %d holds its own span", i)
		i++
	}
	assert.Equal(t, rounds, i)
}

// TestServerAnsweringBeforeReadingTheBody checks, under -race, that a
// server that answers before it has read a request's body gets every
// body intact: the next export does not write into a buffer the
// transport is still sending. Each request's body is read only once the
// next request has arrived, so after the next export has encoded its
// own; the server closes each connection after its answer, so net/http
// does not wait for the write to end before it hands the answer over.
func TestServerAnsweringBeforeReadingTheBody(t *testing.T) {
	const letters = "ABCDEFGH"
	arrived := make([]chan struct{}, len(letters)+1)
	for i := range arrived {
		arrived[i] = make(chan struct{})
	}
	done := make(chan struct{})
	var mu sync.Mutex
	var n int
	var mixed []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		// Answer first, then read what is still coming.
		rc := http.NewResponseController(w)
		_ = rc.EnableFullDuplex()
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		_ = rc.Flush()
		close(arrived[i])
		select {
		case <-arrived[i+1]:
		case <-done:
		}
		b, _ := io.ReadAll(r.Body)
		// Every span of a request is padded with a letter of its own;
		// a body cut short by a closed connection is fine, one that
		// holds another request's letter is not.
		var seen []byte
		for _, c := range []byte(letters) {
			if bytes.Contains(b, bytes.Repeat([]byte{c}, 64)) {
				seen = append(seen, c)
			}
		}
		if len(seen) > 1 {
			mu.Lock()
			mixed = append(mixed, string(seen))
			mu.Unlock()
		}
	}))
	// A connection per request: the handler holds its connection until
	// the next request has come.
	srv.Config.SetKeepAlivesEnabled(false)
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // before the server closes: cleanups run last first
	exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
	require.NoError(t, err)
	for i, c := range letters {
		stubs := tracetest.SpanStubs{{Name: string(c),
			Attributes: []attribute.KeyValue{attribute.String("pad", strings.Repeat(string(c), 1<<20))}}}
		// The connection may be closed before the body is sent: the
		// export succeeds or fails, and either way the next one starts.
		err := exp.ExportSpans(context.Background(), stubs.Snapshots())
		select {
		case <-arrived[i]:
		default:
			require.NoError(t, err, "request %d did not arrive", i)
			<-arrived[i] // answered: its handler is on its way
		}
	}
	close(arrived[len(letters)])
	require.NoError(t, exp.Shutdown(context.Background()))
	srv.Close() // waits for the handlers
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, mixed, "request bodies holding another request's spans")
}
