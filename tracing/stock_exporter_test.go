package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
)

// flakyServer answers the first request with status and header, and every
// later one with 200. It returns when each request arrived.
func flakyServer(t *testing.T, status int, header http.Header) (*httptest.Server, func() []time.Time) {
	t.Helper()
	var mu sync.Mutex
	var at []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		first := len(at) == 1
		mu.Unlock()
		if first {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), at...)
	}
}

// TestStockExporterRetries pins what Exporter relies on the stock OTLP/HTTP
// exporter for: it retries 429, 502, 503 and 504, reads Retry-After as
// seconds (v1.41 read them as nanoseconds), and does not retry 500. The
// backoff here is a millisecond, so a gap of a second can only come from
// Retry-After. If this fails after an upgrade, Exporter's retries are
// wrong: bring back a retry loop of our own, or fix the options.
func TestStockExporterRetries(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   http.Header
		requests int           // 2: retried once, 1: not retried
		minGap   time.Duration // least time between the two requests
	}{
		{"429 Retry-After 1", http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, 2, time.Second},
		{"502", http.StatusBadGateway, nil, 2, 0},
		{"503", http.StatusServiceUnavailable, nil, 2, 0},
		{"504", http.StatusGatewayTimeout, nil, 2, 0},
		{"500", http.StatusInternalServerError, nil, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, requests := flakyServer(t, tt.status, tt.header)
			exp, err := otlptracehttp.New(context.Background(),
				otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"),
				otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
					Enabled:         true,
					InitialInterval: time.Millisecond,
					MaxInterval:     time.Millisecond,
					MaxElapsedTime:  30 * time.Second,
				}))
			require.NoError(t, err)
			t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })

			err = exp.ExportSpans(context.Background(), oneSpan())
			at := requests()
			require.Len(t, at, tt.requests, "requests sent for a first answer of %d", tt.status)
			if tt.requests == 1 {
				require.Error(t, err, "%d is reported, not retried", tt.status)
				return
			}
			require.NoError(t, err, "the retry succeeded")
			gap := at[1].Sub(at[0])
			assert.GreaterOrEqual(t, gap, tt.minGap, "Retry-After is read as seconds")
			assert.Less(t, gap, tt.minGap+10*time.Second, "Retry-After is not stretched")
		})
	}
}
