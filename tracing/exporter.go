package tracing

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/lfhttp"
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
// No request body is larger than 16 MiB, above which Langfuse warns: a
// batch that would be is sent in several requests, and a span too large
// for a request of its own is dropped, which the error of the export
// says (Kind "too_large").
//
// A 429, 502, 503 or 504 answer is retried with exponential backoff from
// 250ms to 2s (randomised by half either way), waiting at least what the
// answer's Retry-After asks, in seconds or as an HTTP date. No attempt is
// made once cfg.Timeout has passed since the first, nor after a
// Retry-After whose wait would end past it: that export fails at once. A
// 500 is not retried: like every answer not listed above it is permanent,
// as the OTLP specification says. A request that gets no answer, because
// the connection was refused, reset or cut off, is retried the same way
// within cfg.Timeout, so that a server restarting for a moment costs no
// spans. A request that timed out after cfg.Timeout has spent that time;
// one whose ctx ended is not retried, nor one to a server whose
// certificate is not trusted or whose host name does not resolve, which
// no retry mends. A redirect is
// followed only when it keeps the request's method and body and stays on
// the origin (scheme, host and port) of LANGFUSE_BASE_URL; any other fails
// the export (Kind "redirected") without a retry, so that neither the
// spans nor the API keys go astray.
//
// Of an answer's body only the start is read: 64 KiB of a success, to
// find an OTLP partial success in it, and 4 KiB of a failure, to quote
// it. A 2xx is a success whatever its body says, except for the spans a
// partial success says it rejected.
//
// It is safe for concurrent use.
type Exporter struct {
	http     *lfhttp.Client
	endpoint string
	header   http.Header // the client's headers and OTLP's
	redact   redactor
	gzip     bool
	timeout  time.Duration
	limit    int // the most bytes of a request body
	enc      otlpEncoder
	bufs     sync.Pool // *[]byte: request bodies

	// firstWait and maxWait bound the backoff between retries.
	firstWait, maxWait time.Duration

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
const defaultTimeout = lfhttp.DefaultTimeout

// maxPooledBody is the largest request buffer kept for the next export;
// a larger one, from a batch of huge spans, is left to the collector.
const maxPooledBody = 4 << 20

// sdk is how the exporter names itself to Langfuse.
var sdk = lfhttp.SDK{Name: semconv.SDKName, Version: semconv.SDKVersion}

// NewExporter returns an Exporter for cfg: POST to cfg.TracesEndpoint()
// with basic auth from the key pair, the SDK's name and version, the
// public key and ingestion version 4, gzip when cfg.Gzip, and cfg.Timeout
// per request. Retryable answers are retried for up to cfg.Timeout (see
// Exporter). Requests go through the client of WithHTTPClient, if given.
func NewExporter(ctx context.Context, cfg config.Config, opts ...ExporterOption) (*Exporter, error) {
	if !cfg.HasKeys() {
		return nil, fmt.Errorf("langfuse exporter: %s and %s are required", config.EnvPublicKey, config.EnvSecretKey)
	}
	var o exporterOptions
	for _, opt := range opts {
		if opt != nil {
			opt.applyExporter(&o)
		}
	}
	client, err := lfhttp.New(cfg, sdk, o.client)
	if err != nil {
		return nil, fmt.Errorf("langfuse exporter: %w", err)
	}
	header := client.Header()
	header.Set("Content-Type", protobufContentType)
	header.Set("x-langfuse-ingestion-version", "4")
	if cfg.Gzip {
		header.Set("Content-Encoding", "gzip")
	}
	stopped, stop := context.WithCancel(context.WithoutCancel(ctx))
	return &Exporter{
		http:      client,
		endpoint:  client.URL(lfhttp.TracesPath),
		header:    header,
		redact:    newRedactor(cfg),
		gzip:      cfg.Gzip,
		timeout:   client.Timeout(),
		limit:     lfhttp.MaxRequestBytes,
		firstWait: firstRetryWait,
		maxWait:   maxRetryWait,
		stopped:   stopped,
		stop:      stop,
	}, nil
}

// errShutdown is the error of an export after Shutdown.
var errShutdown = errors.New("the exporter is shut down")

// ExportSpans sends spans, in one request or, past the size limit, in
// several, each retried as Exporter says until it succeeds, the retries
// run out or ctx ends. A failure is an *ExportError. So is a success
// whose body is an OTLP partial success that rejected spans or carries a
// message: Kind "partial", with the spans it rejected in Rejected. When
// some spans were delivered and others not (rejected in a partial
// success, too large for a request, or in one of several requests that
// failed), Rejected counts those lost.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.stopped.Err() != nil {
		return classify(errShutdown, &attempt{}, e.endpoint, e.redact)
	}
	groups := e.enc.group(spans)
	if len(groups) == 0 {
		return nil
	}
	limit := e.limit
	if e.gzip {
		// Incompressible data grows a little in gzip: room for it.
		limit -= e.limit/256 + 1024
	}
	requests, tooLarge := e.enc.split(groups, limit)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.stopped, cancel)()

	var out outcome
	out.dropTooLarge(tooLarge, e.limit)
	for _, groups := range requests {
		n := 0
		for _, g := range groups {
			n += len(g.spans)
		}
		out.add(n, e.send(ctx, groups))
	}
	return out.err()
}

// send posts the request of groups, retried as Exporter says, and returns
// its failure, or its partial success, if any.
func (e *Exporter) send(ctx context.Context, groups []*spanGroup) *ExportError {
	buf := e.buffer()
	*buf = e.enc.appendGroups((*buf)[:0], groups)
	data, release := *buf, func() { e.recycle(buf) }
	if e.gzip {
		zbuf := e.buffer()
		*zbuf = gzipped((*zbuf)[:0], data)
		e.recycle(buf) // read by nobody else
		data, release = *zbuf, func() { e.recycle(zbuf) }
	}
	// The buffer goes back to the pool once net/http has closed every
	// reader of it, which may be after the answer came.
	body := lfhttp.NewBody(data, release)
	defer body.Release()

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
func (e *Exporter) post(ctx context.Context, body *lfhttp.Body, last *attempt) error {
	r := lfhttp.NewRetrier(e.firstWait, e.maxWait, e.timeout)
	for {
		retryAfter, retry, err := e.attempt(ctx, body, last)
		if err == nil || !retry {
			return err
		}
		if werr := r.Wait(ctx, retryAfter); werr != nil {
			return fmt.Errorf("%w: %w", werr, err)
		}
	}
}

// attempt sends body once and notes the answer in last. It returns the
// wait the answer's Retry-After asks for, and whether the failure it
// returns may be retried.
func (e *Exporter) attempt(ctx context.Context, body *lfhttp.Body, last *attempt) (time.Duration, bool, error) {
	req, err := e.http.NewRequest(ctx, http.MethodPost, e.endpoint, e.header, body)
	if err != nil {
		return 0, false, err
	}
	resp, err := e.http.Do(req)
	if err != nil {
		var re *lfhttp.RedirectError
		if errors.As(err, &re) {
			*last = attempt{status: re.Status}
			return 0, false, err
		}
		// No answer, which leaves the answer before it in last. A
		// server restarting refuses or drops connections for a moment:
		// worth another attempt, unless no retry mends it (a certificate
		// not trusted, a host name that does not resolve). Once ctx has
		// ended, the Retrier makes no other.
		last.netErr = err
		return 0, !lfhttp.Permanent(err), err
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
		return lfhttp.RetryAfter(resp.Header.Get("Retry-After"), time.Now()), true,
			fmt.Errorf("retry-able request failure: %s (body: %s)", status, orEmpty(last.body))
	}
	return 0, false, fmt.Errorf("failed to send to %s: %s (body: %s)", e.endpoint, status, orEmpty(last.body))
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
// ones fail, and the idle connections of its own transport are closed (a
// client given with WithHTTPClient is left as it is).
func (e *Exporter) Shutdown(ctx context.Context) error {
	e.stop()
	e.http.CloseIdleConnections()
	return ctx.Err()
}
