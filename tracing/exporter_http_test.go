package tracing_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
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
