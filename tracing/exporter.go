package tracing

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/attrs"
)

// Exporter sends spans to Langfuse's OpenTelemetry endpoint with the stock
// OTLP/HTTP exporter (protobuf). A failed export returns an *ExportError
// that says what to fix. It is safe for concurrent use.
type Exporter struct {
	inner    *otlptrace.Exporter
	endpoint string
	retryFor time.Duration // how long retryable answers are retried
}

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// NewExporter returns an Exporter for cfg: POST to cfg.TracesEndpoint()
// with basic auth from the key pair, the SDK's name and version, the
// public key and ingestion version 4, gzip when cfg.Gzip, and cfg.Timeout
// per request. Retryable answers (429 with its Retry-After, 502, 503, 504)
// are retried with backoff for up to cfg.Timeout (see ExportSpans).
func NewExporter(ctx context.Context, cfg config.Config) (*Exporter, error) {
	if !cfg.HasKeys() {
		return nil, fmt.Errorf("langfuse exporter: %s and %s are required", config.EnvPublicKey, config.EnvSecretKey)
	}
	endpoint := cfg.TracesEndpoint()
	opts := []otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(endpoint),
		otlptracehttp.WithHeaders(Headers(cfg)),
		otlptracehttp.WithTimeout(cfg.Timeout),
		// Retries are done here, in ExportSpans: the OTLP exporter of this
		// version reads Retry-After's seconds as nanoseconds.
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
		otlptracehttp.WithHTTPClient(&http.Client{
			Timeout:   cfg.Timeout,
			Transport: recordingTransport{base: http.DefaultTransport},
		}),
	}
	if cfg.Gzip {
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	}
	inner, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("langfuse exporter: %w", err)
	}
	return &Exporter{inner: inner, endpoint: endpoint, retryFor: cfg.Timeout}, nil
}

// Headers returns the HTTP headers every export request to Langfuse
// carries.
func Headers(cfg config.Config) map[string]string {
	auth := base64.StdEncoding.EncodeToString([]byte(cfg.PublicKey + ":" + cfg.SecretKey))
	return map[string]string{
		"Authorization":                "Basic " + auth,
		"x-langfuse-sdk-name":          attrs.SDKName,
		"x-langfuse-sdk-version":       attrs.SDKVersion,
		"x-langfuse-public-key":        cfg.PublicKey,
		"x-langfuse-ingestion-version": "4",
	}
}

// Backoff between retries of one export: doubling from the first to the
// longest wait, or what the server's Retry-After asks when that is longer.
const (
	firstRetryWait = 250 * time.Millisecond
	maxRetryWait   = 2 * time.Second
)

// ExportSpans sends spans in one request. A 429, 502, 503 or 504 answer or
// a timed-out connection is retried with backoff, honouring Retry-After,
// for up to the configured timeout or until ctx ends.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	start := time.Now()
	wait := firstRetryWait
	for {
		var last attempt
		err := e.inner.ExportSpans(context.WithValue(ctx, attemptKey{}, &last), spans)
		if err == nil {
			return nil
		}
		if !last.retryable() || ctx.Err() != nil {
			return classify(err, &last, e.endpoint)
		}
		delay := max(wait, last.retryAfter)
		if time.Since(start)+delay > e.retryFor {
			return classify(err, &last, e.endpoint)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return classify(err, &last, e.endpoint)
		case <-t.C:
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// Shutdown stops the exporter; it exports nothing more.
func (e *Exporter) Shutdown(ctx context.Context) error { return e.inner.Shutdown(ctx) }

// ExportError is a failed export, with what the answer means for the user.
type ExportError struct {
	// Kind names the failure: "unauthorized", "forbidden", "not_found",
	// "rejected", "too_large", "rate_limited", "server", "unreachable",
	// "timeout" or "failed".
	Kind string
	// Status is the HTTP status of the last answer, 0 when there was none.
	Status int
	// Body is the start of the last answer's body.
	Body string
	// Hint says what to check or change.
	Hint string
	// Err is the exporter's own error.
	Err error
}

func (e *ExportError) Error() string { return e.Hint + ": " + e.Err.Error() }

// Unwrap returns the exporter's own error.
func (e *ExportError) Unwrap() error { return e.Err }

func classify(err error, last *attempt, endpoint string) *ExportError {
	ee := &ExportError{Kind: "failed", Status: last.status, Body: last.body, Err: err,
		Hint: "export to " + endpoint + " failed"}
	switch s := last.status; {
	case s == http.StatusUnauthorized:
		ee.Kind, ee.Hint = "unauthorized", "Langfuse rejected the API keys (401): check "+
			config.EnvPublicKey+" and "+config.EnvSecretKey+", and that "+config.EnvBaseURL+" is the region of the project"
	case s == http.StatusForbidden:
		ee.Kind, ee.Hint = "forbidden", "Langfuse refused the export (403): the project may be suspended or the keys lack access"
	case s == http.StatusNotFound || s == http.StatusMethodNotAllowed:
		ee.Kind, ee.Hint = "not_found", fmt.Sprintf("no Langfuse OpenTelemetry endpoint at %s (%d): check %s", endpoint, s, config.EnvBaseURL)
	case s == http.StatusRequestEntityTooLarge:
		ee.Kind, ee.Hint = "too_large", "Langfuse refused a batch as too large (413): lower "+
			config.EnvFlushAt+" or "+config.EnvCaptureMaxBytes
	case s == http.StatusTooManyRequests:
		ee.Kind, ee.Hint = "rate_limited", "Langfuse rate-limited the export (429) beyond the retries; spans were dropped"
	case s >= 400 && s < 500:
		ee.Kind, ee.Hint = "rejected", fmt.Sprintf("Langfuse rejected the batch (%d): %s", s, orEmpty(last.body))
	case s >= 500:
		ee.Kind, ee.Hint = "server", fmt.Sprintf("Langfuse answered %d beyond the retries; spans were dropped", s)
	case errors.Is(err, context.DeadlineExceeded):
		ee.Kind, ee.Hint = "timeout", "export to "+endpoint+" timed out: check that "+config.EnvBaseURL+
			" answers, or raise "+config.EnvTimeout
	case last.netErr != nil:
		ee.Kind, ee.Hint = "unreachable", "cannot reach Langfuse at "+endpoint+": check "+config.EnvBaseURL+" and the network"
	}
	return ee
}

// bodyText is the readable part of an error answer: the message of a
// protobuf google.rpc.Status, as OTLP servers send it, or the text itself.
func bodyText(contentType string, body []byte) string {
	if strings.HasPrefix(contentType, "application/x-protobuf") {
		if msg, ok := statusMessage(body); ok {
			return msg
		}
		return ""
	}
	return strings.ToValidUTF8(strings.TrimSpace(string(body)), "?")
}

// statusMessage reads field 2 (message) of a protobuf google.rpc.Status.
func statusMessage(b []byte) (string, bool) {
	for len(b) > 0 {
		key, n := uvarint(b)
		if n <= 0 {
			return "", false
		}
		b = b[n:]
		switch key & 7 {
		case 0: // varint
			_, n = uvarint(b)
			if n <= 0 {
				return "", false
			}
			b = b[n:]
		case 2: // length-delimited
			l, n := uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return "", false
			}
			field := b[n : n+int(l)]
			b = b[n+int(l):]
			if key>>3 == 2 {
				return strings.ToValidUTF8(string(field), "?"), true
			}
		default:
			return "", false
		}
	}
	return "", false
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

func orEmpty(s string) string {
	if s == "" {
		return "(empty answer)"
	}
	return s
}

// attempt is what the transport saw of the last request of one export.
type attempt struct {
	status     int
	body       string
	netErr     error
	retryAfter time.Duration
}

// retryable reports whether the answer asks to try again later.
func (a *attempt) retryable() bool {
	switch a.status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	var ne net.Error
	return a.netErr != nil && errors.As(a.netErr, &ne) && ne.Timeout()
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

type attemptKey struct{}

// maxBodyShown is how much of an error answer is kept for the message.
const maxBodyShown = 512

// recordingTransport notes each answer's status and the start of an error
// body in the attempt carried by the request's context.
type recordingTransport struct{ base http.RoundTripper }

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	if a == nil {
		return resp, err
	}
	if err != nil {
		*a = attempt{netErr: err}
		return resp, err
	}
	*a = attempt{status: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	if resp.StatusCode >= 300 && resp.Body != nil {
		head, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyShown))
		a.body = bodyText(resp.Header.Get("Content-Type"), head)
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(strings.NewReader(string(head)), resp.Body), resp.Body}
	}
	return resp, err
}
