package tracing

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/semconv"
)

// Exporter sends spans to Langfuse's OpenTelemetry endpoint over
// OTLP/HTTP in protobuf. It writes each request straight from the spans,
// field for field what OpenTelemetry Go's own OTLP/HTTP exporter sends,
// without building protobuf structs per span. Every string goes out as
// valid UTF-8, bad bytes replaced by U+FFFD, so that one bad span never
// costs the other spans of its request. A failed export returns an
// *ExportError that says what to fix, with the API keys taken out of its
// text.
//
// A 429, 502, 503 or 504 answer is retried with exponential backoff from
// 250ms to 2s (randomised by half either way), waiting at least what the
// answer's Retry-After asks, in seconds or as an HTTP date. No attempt is
// made once cfg.Timeout has passed since the first, nor after a
// Retry-After whose wait would end past it: that export fails at once. A
// 500 is not retried: like every answer not listed above it is permanent,
// as the OTLP specification says. A request that gets no answer, because
// it timed out after cfg.Timeout or was refused or cut off, fails its
// export.
//
// Of an answer's body only the start is read: 64 KiB of a success, to
// find an OTLP partial success in it, and 4 KiB of a failure, to quote
// it. A 2xx is a success whatever its body says, except for the spans a
// partial success says it rejected.
//
// It is safe for concurrent use.
type Exporter struct {
	endpoint  string
	header    http.Header
	client    *http.Client
	transport http.RoundTripper
	redact    redactor
	gzip      bool
	timeout   time.Duration
	enc       otlpEncoder
	bufs      sync.Pool // *[]byte: request bodies

	// stopped is cancelled by Shutdown, which cancels every export.
	stopped context.Context
	stop    context.CancelFunc
}

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// Backoff between retries of one export: from the first wait, each one
// half as long again as the one before (randomised by half either way),
// up to the longest; or what the server's Retry-After asks when that is
// longer.
const (
	firstRetryWait = 250 * time.Millisecond
	maxRetryWait   = 2 * time.Second
)

// defaultTimeout stands in for a configuration's Timeout when it was left
// at zero.
const defaultTimeout = 5 * time.Second

// maxPooledBody is the largest request buffer kept for the next export;
// a larger one, from a batch of huge spans, is left to the collector.
const maxPooledBody = 4 << 20

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
	// The URL is not quoted in these errors: it may hold credentials.
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("langfuse exporter: %s does not give an http(s) URL with a host", config.EnvBaseURL)
	}
	if u.User != nil {
		// It would be quoted in every error that names the endpoint.
		return nil, fmt.Errorf("langfuse exporter: %s holds user info; the keys go in %s and %s",
			config.EnvBaseURL, config.EnvPublicKey, config.EnvSecretKey)
	}
	header := http.Header{}
	for k, v := range Headers(cfg) {
		header.Set(k, v)
	}
	header.Set("Content-Type", protobufContentType)
	header.Set("User-Agent", semconv.SDKName+"/"+semconv.SDKVersion)
	if cfg.Gzip {
		header.Set("Content-Encoding", "gzip")
	}
	transport := ownTransport()
	stopped, stop := context.WithCancel(context.WithoutCancel(ctx))
	return &Exporter{
		endpoint:  endpoint,
		header:    header,
		client:    &http.Client{Timeout: timeout, Transport: transport},
		transport: transport,
		redact:    newRedactor(cfg),
		gzip:      cfg.Gzip,
		timeout:   timeout,
		stopped:   stopped,
		stop:      stop,
	}, nil
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
		"x-langfuse-sdk-name":          semconv.SDKName,
		"x-langfuse-sdk-version":       semconv.SDKVersion,
		"x-langfuse-public-key":        cfg.PublicKey,
		"x-langfuse-ingestion-version": "4",
	}
}

// basicCredentials is the token of the Basic Authorization header.
func basicCredentials(cfg config.Config) string {
	return base64.StdEncoding.EncodeToString([]byte(cfg.PublicKey + ":" + cfg.SecretKey))
}

// errShutdown is the error of an export after Shutdown.
var errShutdown = errors.New("the exporter is shut down")

// ExportSpans sends spans in one request, retried as Exporter says until
// it succeeds, the retries run out or ctx ends. A failure is an
// *ExportError. So is a success whose body is an OTLP partial success
// that rejected spans or carries a message: Kind "partial", with the
// spans it rejected in Rejected.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.stopped.Err() != nil {
		return classify(errShutdown, &attempt{}, e.endpoint, e.redact)
	}
	buf := e.buffer()
	defer e.recycle(buf)
	*buf = e.enc.appendRequest((*buf)[:0], spans)
	if len(*buf) == 0 {
		return nil
	}
	body := *buf
	if e.gzip {
		zbuf := e.buffer()
		defer e.recycle(zbuf)
		*zbuf = gzipped((*zbuf)[:0], body)
		body = *zbuf
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.stopped, cancel)()

	var last attempt
	err := e.post(ctx, body, &last)
	if err == nil && last.partial {
		err = fmt.Errorf("OTLP partial success: %s (%d spans rejected)", orEmpty(last.body), last.rejected)
	}
	if err == nil {
		return nil
	}
	return classify(fmt.Errorf("traces export: %w", err), &last, e.endpoint, e.redact)
}

// post sends body, and again while the answer allows a retry and time is
// left, noting in last what it saw.
func (e *Exporter) post(ctx context.Context, body []byte, last *attempt) error {
	start := time.Now()
	wait := firstRetryWait
	for {
		retryAfter, retry, err := e.attempt(ctx, body, last)
		if err == nil || !retry {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", context.Cause(ctx), err)
		}
		elapsed := time.Since(start)
		if elapsed > e.timeout {
			return fmt.Errorf("max retry time elapsed: %w", err)
		}
		if elapsed+retryAfter > e.timeout {
			return fmt.Errorf("max retry time would elapse: %w", err)
		}
		// Randomised by half either way, so that clients that failed
		// together do not retry together.
		delay := max(retryAfter, wait/2+rand.N(wait))
		wait = min(wait*3/2, maxRetryWait)
		if werr := sleep(ctx, delay); werr != nil {
			return fmt.Errorf("%w: %w", werr, err)
		}
	}
}

// sleep waits for d or until ctx ends, and then returns ctx's cause.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// attempt sends body once and notes the answer in last. It returns the
// wait the answer's Retry-After asks for, and whether the failure it
// returns may be retried.
func (e *Exporter) attempt(ctx context.Context, body []byte, last *attempt) (time.Duration, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, false, err
	}
	req.Header = e.header.Clone()
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := e.client.Do(req)
	if err != nil {
		// No answer: the next export tries again, with its own spans.
		last.netErr = err
		return 0, false, err
	}
	defer func() { _ = resp.Body.Close() }()
	*last = attempt{status: resp.StatusCode}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// One byte more than the bound tells a body cut short from one
		// that fits, which alone is parsed. Closing a longer body unread
		// costs this connection only.
		ok, _ := io.ReadAll(io.LimitReader(resp.Body, maxOKBodyRead+1))
		e.partialSuccess(last, resp.Header.Get("Content-Type"), ok)
		return 0, false, nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, int64(maxBodyRead+e.redact.longest())))
	last.body = e.redact.text(bodyText(resp.Header.Get("Content-Type"), head), maxBodyShown)
	status := strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return retryAfter(resp.Header.Get("Retry-After"), time.Now()), true,
			fmt.Errorf("retry-able request failure: %s (body: %s)", status, orEmpty(last.body))
	}
	return 0, false, fmt.Errorf("failed to send to %s: %s (body: %s)", e.endpoint, status, orEmpty(last.body))
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date. It is
// 0 when v is neither, or a date already past.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0
		}
		if secs > int64(math.MaxInt64/time.Second) {
			return math.MaxInt64
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}

// gzipped appends the gzip compression of body to dst.
func gzipped(dst, body []byte) []byte {
	w := gzipWriters.Get().(*gzip.Writer)
	out := bytes.NewBuffer(dst)
	w.Reset(out)
	// Writes to a bytes.Buffer do not fail.
	_, _ = w.Write(body)
	_ = w.Close()
	// The pooled writer must not keep the request alive.
	w.Reset(io.Discard)
	gzipWriters.Put(w)
	return out.Bytes()
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// buffer returns a request buffer from the pool.
func (e *Exporter) buffer() *[]byte {
	if b, ok := e.bufs.Get().(*[]byte); ok {
		return b
	}
	return new([]byte)
}

// recycle returns b to the pool unless it grew too large to keep.
func (e *Exporter) recycle(b *[]byte) {
	if cap(*b) <= maxPooledBody {
		e.bufs.Put(b)
	}
}

// Shutdown stops the exporter: exports still running are cancelled, later
// ones fail, and the idle connections are closed.
func (e *Exporter) Shutdown(ctx context.Context) error {
	e.stop()
	if t, ok := e.transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	return ctx.Err()
}
