package tracing_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
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

// TestExporterConnectionRefused checks that a refused connection is
// retried until the timeout has passed, then fails as unreachable,
// naming the variable to check.
func TestExporterConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	cfg := exporterConfig("http://" + addr)
	cfg.Timeout = 50 * time.Millisecond // how long it is retried
	exp := fastRetries(t, cfg)
	err = exp.ExportSpans(context.Background(), oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "unreachable", ee.Kind)
	assert.Contains(t, ee.Error(), config.EnvBaseURL)
	assert.Contains(t, ee.Error(), "max retry time", "it was retried")
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

// hangUp closes the connection of the request w answers without an
// answer, as a server going down does.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if !assert.NoError(t, err) {
		return
	}
	_ = conn.Close()
}

// restartingServer hangs up on the first drop requests, then answers
// every later one with 200. It returns how many requests arrived, and the
// span names of each request it answered.
func restartingServer(t *testing.T, drop int32) (*httptest.Server, *atomic.Int32, func() [][]string) {
	t.Helper()
	var arrived atomic.Int32
	var mu sync.Mutex
	var answered [][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if arrived.Add(1) <= drop {
			hangUp(t, w)
			return
		}
		names := spanNames(t, body)
		mu.Lock()
		answered = append(answered, names)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &arrived, func() [][]string {
		mu.Lock()
		defer mu.Unlock()
		return append([][]string(nil), answered...)
	}
}

// fastRetries returns an exporter for cfg whose retries wait a
// millisecond or so.
func fastRetries(t *testing.T, cfg config.Config) *tracing.Exporter {
	t.Helper()
	exp, err := tracing.NewExporter(context.Background(), cfg)
	require.NoError(t, err)
	tracing.SetRetryWaits(exp, time.Millisecond, 2*time.Millisecond)
	return exp
}

// failOnce exports a span to base, which must fail it, and returns the
// export's error. Were the failure retried, it would be for five seconds
// at most, a millisecond or so apart.
func failOnce(t *testing.T, base string) *tracing.ExportError {
	t.Helper()
	cfg := exporterConfig(base)
	cfg.Timeout = 5 * time.Second
	err := fastRetries(t, cfg).ExportSpans(context.Background(), oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	return ee
}

// TestExporterRetriesAConnectionWithoutAnswer checks that a batch whose
// request got no answer, because the server hung up as one restarting
// does, is sent again within the timeout and counted as exported, not
// failed, in both export modes.
func TestExporterRetriesAConnectionWithoutAnswer(t *testing.T) {
	for _, mode := range []config.ExportMode{config.ExportBatched, config.ExportImmediate} {
		t.Run(string(mode), func(t *testing.T) {
			srv, arrived, answered := restartingServer(t, 2)
			cfg := exporterConfig(srv.URL)
			cfg.ExportMode = mode
			exp := fastRetries(t, cfg)
			p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.DiscardHandler)))
			tp := provider(cfg, p)
			_, s := tracing.Tracer(tp).Start(context.Background(), "s")
			s.End()
			require.NoError(t, tp.Shutdown(context.Background()))

			assert.EqualValues(t, 3, arrived.Load(), "two hung up on, then answered")
			assert.Equal(t, [][]string{{"s"}}, answered(), "the batch arrived once")
			assert.Equal(t, uint64(1), p.Exported())
			assert.Zero(t, p.Failed())
			assert.Zero(t, p.Dropped())
			assert.NoError(t, p.LastError())
		})
	}
}

// refusingTransport fails every request as a refused connection does,
// and on the second ends the caller's ctx with cause first.
type refusingTransport struct {
	calls  atomic.Int32
	cancel context.CancelCauseFunc
	cause  error
}

func (rt *refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	if rt.calls.Add(1) == 2 {
		rt.cancel(rt.cause) // the caller gives up during the retry
	}
	return nil, errors.New("dial tcp: connection refused")
}

// TestExporterRetriesNoAnswerWhileCtxLasts checks that no-answer retries
// stop once the caller's ctx has ended, cancelled or past its deadline:
// the export fails as unreachable, the deadline having only cut the
// retries short, with ctx's error.
func TestExporterRetriesNoAnswerWhileCtxLasts(t *testing.T) {
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		t.Run(cause.Error(), func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			rt := &refusingTransport{cancel: cancel, cause: cause}
			exp, err := tracing.NewExporter(context.Background(), exporterConfig("http://127.0.0.1:1"),
				tracing.WithHTTPClient(&http.Client{Transport: rt}))
			require.NoError(t, err)
			tracing.SetRetryWaits(exp, time.Millisecond, 2*time.Millisecond)

			err = exp.ExportSpans(ctx, oneSpan())
			assert.EqualValues(t, 2, rt.calls.Load(), "retried once, not after ctx ended")
			require.ErrorIs(t, err, cause)
			var ee *tracing.ExportError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, "unreachable", ee.Kind, err)
			assert.Zero(t, ee.Status)
			assert.Contains(t, ee.Hint, config.EnvBaseURL)
		})
	}
}

// TestExporterDoesNotRetryAnUntrustedCertificate checks that a server
// whose certificate the client does not trust is tried once: no retry
// mends that, and the error says what does.
func TestExporterDoesNotRetryAnUntrustedCertificate(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the request went through a certificate the client does not trust")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)

	ee := failOnce(t, srv.URL)
	assert.Equal(t, "unreachable", ee.Kind)
	assert.Contains(t, ee.Hint, "not trusted")
	assert.EqualValues(t, 1, conns.Load(), "tried once")
}

// TestExporterDoesNotRetryARefusedRedirect checks that a redirect the
// exporter does not follow, which ends the request without an answer it
// reads, is not tried again either.
func TestExporterDoesNotRetryARefusedRedirect(t *testing.T) {
	other := newLanding(t)
	var arrived atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		http.Redirect(w, r, other.srv.URL+"/moved", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)

	ee := failOnce(t, srv.URL)
	assert.Equal(t, "redirected", ee.Kind)
	assert.EqualValues(t, 1, arrived.Load(), "tried once")
	assert.Empty(t, other.requests())
}

// unresolvedTransport fails every request as a host name that does not
// resolve does, and counts them.
type unresolvedTransport struct{ calls atomic.Int32 }

func (rt *unresolvedTransport) RoundTrip(*http.Request) (*http.Response, error) {
	rt.calls.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "langfuse.invalid", IsNotFound: true}}
}

// TestExporterDoesNotRetryAHostThatDoesNotResolve checks that a
// misconfigured host name fails its export at once: no retry mends it,
// and in immediate mode the span's End would wait out the timeout.
func TestExporterDoesNotRetryAHostThatDoesNotResolve(t *testing.T) {
	rt := &unresolvedTransport{}
	cfg := exporterConfig("http://langfuse.invalid")
	cfg.Timeout = 5 * time.Second
	exp, err := tracing.NewExporter(context.Background(), cfg, tracing.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	tracing.SetRetryWaits(exp, time.Millisecond, 2*time.Millisecond)

	err = exp.ExportSpans(context.Background(), oneSpan())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "unreachable", ee.Kind, err)
	assert.EqualValues(t, 1, rt.calls.Load(), "tried once")
}
