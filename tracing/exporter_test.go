package tracing_test

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

type seenRequest struct {
	path   string
	header http.Header
	body   int
}

func langfuseServer(t *testing.T, status int, body string) (*httptest.Server, func() []seenRequest) {
	t.Helper()
	var mu sync.Mutex
	var seen []seenRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, seenRequest{path: r.URL.Path, header: r.Header.Clone(), body: len(b)})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seenRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]seenRequest(nil), seen...)
	}
}

func exporterConfig(base string) config.Config {
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey = "pk-lf-1", "sk-lf-2"
	cfg.BaseURL = base
	return cfg
}

func oneSpan() []sdktrace.ReadOnlySpan {
	return tracetest.SpanStubs{{Name: "s"}}.Snapshots()
}

func TestExporterSendsLangfuseHeaders(t *testing.T) {
	for _, gzip := range []bool{false, true} {
		srv, seen := langfuseServer(t, http.StatusOK, `{}`)
		cfg := exporterConfig(srv.URL + "/") // a trailing slash is trimmed
		cfg.Gzip = gzip
		exp, err := tracing.NewExporter(context.Background(), cfg)
		require.NoError(t, err)
		require.NoError(t, exp.ExportSpans(context.Background(), oneSpan()))
		require.NoError(t, exp.Shutdown(context.Background()))

		reqs := seen()
		require.Len(t, reqs, 1)
		h := reqs[0].header
		assert.Equal(t, "/api/public/otel/v1/traces", reqs[0].path)
		assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("pk-lf-1:sk-lf-2")), h.Get("Authorization"))
		assert.Equal(t, "4", h.Get("x-langfuse-ingestion-version"))
		assert.Equal(t, "pk-lf-1", h.Get("x-langfuse-public-key"))
		assert.Equal(t, "langfuse-go", h.Get("x-langfuse-sdk-name"))
		assert.NotEmpty(t, h.Get("x-langfuse-sdk-version"))
		assert.Equal(t, "application/x-protobuf", h.Get("Content-Type"))
		if gzip {
			assert.Equal(t, "gzip", h.Get("Content-Encoding"))
		} else {
			assert.Empty(t, h.Get("Content-Encoding"))
		}
	}
}

func TestExporterNeedsKeys(t *testing.T) {
	_, err := tracing.NewExporter(context.Background(), config.Default())
	assert.ErrorContains(t, err, config.EnvPublicKey)
}

func TestExporterErrorsSayWhatToFix(t *testing.T) {
	tests := []struct {
		status   int
		body     string
		kind     string
		contains string
	}{
		{http.StatusUnauthorized, "invalid credentials", "unauthorized", config.EnvSecretKey},
		{http.StatusForbidden, "", "forbidden", "suspended"},
		{http.StatusNotFound, "", "not_found", config.EnvBaseURL},
		{http.StatusBadRequest, "invalid span id", "rejected", "invalid span id"},
		{http.StatusRequestEntityTooLarge, "", "too_large", config.EnvFlushAt},
		{http.StatusServiceUnavailable, "", "server", "503"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			srv, _ := langfuseServer(t, tt.status, tt.body)
			exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err = exp.ExportSpans(ctx, oneSpan())
			var ee *tracing.ExportError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tt.kind, ee.Kind)
			assert.Equal(t, tt.status, ee.Status)
			assert.Contains(t, ee.Error(), tt.contains)
		})
	}
}

func TestExporterConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	exp, err := tracing.NewExporter(context.Background(), exporterConfig("http://"+addr))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = exp.ExportSpans(ctx, oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "unreachable", ee.Kind)
	assert.Contains(t, ee.Error(), config.EnvBaseURL)
}

func TestExporterReadsProtobufStatusMessage(t *testing.T) {
	// google.rpc.Status{code: 16, message: "invalid credentials"}
	status := append([]byte{0x08, 0x10, 0x12, 19}, "invalid credentials"...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(status)
	}))
	defer srv.Close()
	exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
	require.NoError(t, err)
	err = exp.ExportSpans(context.Background(), oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "invalid credentials", ee.Body)
	assert.Contains(t, ee.Hint, "(400): invalid credentials")
}
