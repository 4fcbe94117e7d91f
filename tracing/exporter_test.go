package tracing_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

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
	// A machine busy with every package's tests under -race can take
	// seconds to answer many exports at once; tests about timeouts and
	// retries set their own.
	cfg.Timeout = time.Minute
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
		{http.StatusTooManyRequests, "", "rate_limited", "429"},
		{http.StatusInternalServerError, "", "server", "not retried"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			t.Parallel()
			srv, _ := langfuseServer(t, tt.status, tt.body)
			cfg := exporterConfig(srv.URL)
			if tt.status == http.StatusTooManyRequests || tt.status == http.StatusServiceUnavailable {
				cfg.Timeout = time.Second // how long they are retried
			}
			exp, err := tracing.NewExporter(context.Background(), cfg)
			require.NoError(t, err)
			err = exp.ExportSpans(context.Background(), oneSpan())
			var ee *tracing.ExportError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tt.kind, ee.Kind)
			assert.Equal(t, tt.status, ee.Status)
			assert.Contains(t, ee.Error(), tt.contains)
		})
	}
}

// TestExporterKeepsTheLastAnswer checks that an export whose retry is cut
// short, with no answer, reports the answer before it.
func TestExporterKeepsTheLastAnswer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var requests atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if requests.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "restarting")
			return
		}
		cancel() // the exporter's caller gives up while the retry waits
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
	require.NoError(t, err)
	err = exp.ExportSpans(ctx, oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "server", ee.Kind)
	assert.Equal(t, http.StatusServiceUnavailable, ee.Status)
	assert.Equal(t, "restarting", ee.Body)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestExporterConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	exp, err := tracing.NewExporter(context.Background(), exporterConfig("http://"+addr))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
	t.Cleanup(srv.Close)
	exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
	require.NoError(t, err)
	err = exp.ExportSpans(context.Background(), oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "invalid credentials", ee.Body)
	assert.Contains(t, ee.Hint, "(400): invalid credentials")
}

// TestExporterRetries checks the retries Exporter takes from the stock
// exporter with its own bounds: Retry-After in seconds, 502, 503 and 504
// retried, 500 not.
func TestExporterRetries(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   http.Header
		requests int
		minGap   time.Duration
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
			exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
			require.NoError(t, err)
			err = exp.ExportSpans(context.Background(), oneSpan())
			at := requests()
			require.Len(t, at, tt.requests)
			if tt.requests == 1 {
				var ee *tracing.ExportError
				require.ErrorAs(t, err, &ee)
				assert.Equal(t, "server", ee.Kind)
				assert.Equal(t, tt.status, ee.Status)
				return
			}
			require.NoError(t, err)
			assert.GreaterOrEqual(t, at[1].Sub(at[0]), tt.minGap, "Retry-After is honoured")
		})
	}
}

// TestExporterGivesUpOnLongRetryAfter checks that a Retry-After beyond the
// timeout fails the export at once instead of waiting for it.
func TestExporterGivesUpOnLongRetryAfter(t *testing.T) {
	srv, requests := flakyServer(t, http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}})
	cfg := exporterConfig(srv.URL)
	cfg.Timeout = time.Hour
	exp, err := tracing.NewExporter(context.Background(), cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = exp.ExportSpans(ctx, oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "rate_limited", ee.Kind)
	assert.Len(t, requests(), 1)
	assert.NoError(t, ctx.Err(), "it did not wait for Retry-After")
}

// TestExporterRedactsCredentials checks that API keys a server echoes in
// an error answer reach neither the error nor the log, whole or in part.
func TestExporterRedactsCredentials(t *testing.T) {
	cfg := exporterConfig("")
	cfg.SecretKey = "sk-lf-0123456789abcdef0123456789abcdef"
	token := base64.StdEncoding.EncodeToString([]byte(cfg.PublicKey + ":" + cfg.SecretKey))
	echoHeaders := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_ = r.Header.Write(w)
		_, _ = io.WriteString(w, "secret="+cfg.SecretKey+"\n")
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"headers echoed", echoHeaders},
		{"protobuf Status", func(w http.ResponseWriter, r *http.Request) {
			b, err := proto.Marshal(&status.Status{Code: 3, Message: "bad Authorization: " + r.Header.Get("Authorization")})
			assert.NoError(t, err)
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(b)
		}},
		{"secret across the shown limit", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, strings.Repeat("x", 500)+cfg.SecretKey+" "+token+strings.Repeat("y", 1000))
		}},
		{"a megabyte body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, strings.Repeat("x", 4090)+token+strings.Repeat("y", 1<<20))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			cfg.BaseURL = srv.URL
			exp, err := tracing.NewExporter(context.Background(), cfg)
			require.NoError(t, err)
			err = exp.ExportSpans(context.Background(), oneSpan())

			var logs bytes.Buffer
			p := tracing.NewExportProcessor(testConfig(config.ExportImmediate), exp,
				tracing.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), tracing.WithFilter(tracing.ExportAll))
			tp := provider(cfg, p)
			_, s := tp.Tracer("t").Start(context.Background(), "s")
			s.End()
			require.NoError(t, tp.Shutdown(context.Background()))
			require.Contains(t, logs.String(), "rejected the batch", "the failure was logged")

			var ee *tracing.ExportError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, "rejected", ee.Kind)
			assert.LessOrEqual(t, len(ee.Body), 512, "the body shown is bounded")
			for what, text := range map[string]string{
				"Error": err.Error(), "%+v": fmt.Sprintf("%+v", err), "Body": ee.Body, "Hint": ee.Hint,
				"Err": ee.Err.Error(), "log": logs.String(), "LastError": fmt.Sprint(p.LastError()),
			} {
				for _, secret := range []string{cfg.SecretKey, token, cfg.SecretKey[:12], token[:12]} {
					assert.NotContains(t, text, secret, "%s holds a credential", what)
				}
			}
			if tt.name != "a megabyte body" {
				assert.Contains(t, ee.Body, "[REDACTED]")
			}
		})
	}
}

// TestExporterTimeoutIsStillAContextError checks that redaction keeps
// errors.Is working on the exporter's error.
func TestExporterTimeoutIsStillAContextError(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = exp.ExportSpans(ctx, oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "timeout", ee.Kind)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
