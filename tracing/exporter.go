package tracing

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/attrs"
)

// Exporter sends spans to Langfuse's OpenTelemetry endpoint with the stock
// OTLP/HTTP exporter (protobuf). A failed export returns an *ExportError
// that says what to fix, with the API keys taken out of its text.
//
// Retries are the stock exporter's: a 429, 502, 503 or 504 answer, or a
// request that timed out, is retried with exponential backoff from 250ms
// to 2s (randomised by half either way), waiting at least what the
// answer's Retry-After asks, in seconds or as an HTTP date. No attempt is
// made once cfg.Timeout has passed since the first, nor after a
// Retry-After whose wait would end past it: that export fails at once. A
// 500 is not retried: the stock exporter treats it, like every answer not
// listed above, as permanent, as the OTLP specification does.
//
// It is safe for concurrent use.
type Exporter struct {
	inner     *otlptrace.Exporter
	endpoint  string
	redact    redactor
	transport http.RoundTripper
}

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// Backoff between retries of one export: doubling from the first to the
// longest wait, or what the server's Retry-After asks when that is longer.
const (
	firstRetryWait = 250 * time.Millisecond
	maxRetryWait   = 2 * time.Second
)

// defaultTimeout stands in for a configuration's Timeout when it was left
// at zero: the stock exporter would read zero as "retry forever".
const defaultTimeout = 5 * time.Second

// NewExporter returns an Exporter for cfg: POST to cfg.TracesEndpoint()
// with basic auth from the key pair, the SDK's name and version, the
// public key and ingestion version 4, gzip when cfg.Gzip, and cfg.Timeout
// per request. Retryable answers are retried for up to cfg.Timeout (see
// Exporter).
func NewExporter(ctx context.Context, cfg config.Config) (*Exporter, error) {
	if !cfg.HasKeys() {
		return nil, fmt.Errorf("langfuse exporter: %s and %s are required", config.EnvPublicKey, config.EnvSecretKey)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	endpoint := cfg.TracesEndpoint()
	redact := newRedactor(cfg)
	transport := ownTransport()
	opts := []otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(endpoint),
		otlptracehttp.WithHeaders(Headers(cfg)),
		otlptracehttp.WithTimeout(timeout),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
			Enabled:         true,
			InitialInterval: firstRetryWait,
			MaxInterval:     maxRetryWait,
			MaxElapsedTime:  timeout,
		}),
		otlptracehttp.WithHTTPClient(&http.Client{
			Timeout:   timeout,
			Transport: recordingTransport{base: transport, redact: redact},
		}),
	}
	if cfg.Gzip {
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	}
	inner, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("langfuse exporter: %w", err)
	}
	return &Exporter{inner: inner, endpoint: endpoint, redact: redact, transport: transport}, nil
}

// ownTransport returns a copy of http.DefaultTransport, settings and all,
// so that a program or test that closes the default transport's idle
// connections (httptest.Server.Close does) cannot break an export on a
// connection it was about to reuse, and so that Shutdown can close the
// exporter's connections.
func ownTransport() http.RoundTripper {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return http.DefaultTransport
}

// Headers returns the HTTP headers every export request to Langfuse
// carries.
func Headers(cfg config.Config) map[string]string {
	return map[string]string{
		"Authorization":                "Basic " + basicCredentials(cfg),
		"x-langfuse-sdk-name":          attrs.SDKName,
		"x-langfuse-sdk-version":       attrs.SDKVersion,
		"x-langfuse-public-key":        cfg.PublicKey,
		"x-langfuse-ingestion-version": "4",
	}
}

// basicCredentials is the token of the Basic Authorization header.
func basicCredentials(cfg config.Config) string {
	return base64.StdEncoding.EncodeToString([]byte(cfg.PublicKey + ":" + cfg.SecretKey))
}

// ExportSpans sends spans in one request, retried as Exporter says until
// it succeeds, the retries run out or ctx ends. A failure is an
// *ExportError. So is a success whose protobuf body is an OTLP partial
// success that rejected spans or carries a message, as the stock
// exporter reports it: Kind "partial", with the spans it rejected in
// Rejected.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	var last attempt
	err := e.inner.ExportSpans(context.WithValue(ctx, attemptKey{}, &last), spans)
	if err == nil {
		return nil
	}
	return classify(err, &last, e.endpoint, e.redact)
}

// Shutdown stops the exporter and closes its idle connections; it exports
// nothing more.
func (e *Exporter) Shutdown(ctx context.Context) error {
	err := e.inner.Shutdown(ctx)
	if t, ok := e.transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	return err
}
