package tracing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/warn"
)

// sender makes the export requests of the batch and the immediate
// processor: each bounded by the export timeout, all under one parent
// context that abort cancels so that none outlives Shutdown for long. It
// counts what becomes of the spans and logs a problem at warning level the
// first time it happens, then at most once every warnEvery per kind while
// it recurs, with how often it happened since the last line; failures in
// between are logged at debug level. It is safe for concurrent use.
type sender struct {
	exp     sdktrace.SpanExporter
	timeout time.Duration
	logger  *slog.Logger

	ctx   context.Context // parent of every export
	abort context.CancelFunc

	dropped   atomic.Uint64 // spans
	abandoned atomic.Uint64 // spans, of those dropped: given up on by Shutdown
	exported  atomic.Uint64 // spans
	failed    atomic.Uint64 // requests
	lastErr   atomic.Pointer[failure]
	utf8      utf8Fixer
	// encodes is set when exp is an *Exporter, whose encoder makes the
	// strings valid itself, on the export goroutine.
	encodes bool
	warned  warn.Limiter
	now     func() time.Time
}

// failure boxes an error so that an atomic.Pointer can hold it.
type failure struct{ err error }

// errAbandoned is the error of an export that Shutdown gave up on when
// its ctx ended; Shutdown reports those spans with ctx's error instead.
var errAbandoned = errors.New("export abandoned by shutdown")

func newSender(exp sdktrace.SpanExporter, timeout time.Duration, logger *slog.Logger) *sender {
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	s := &sender{exp: exp, timeout: timeout, logger: logger, now: time.Now}
	s.warned.Now = func() time.Time { return s.now() }
	_, s.encodes = exp.(*Exporter)
	s.ctx, s.abort = context.WithCancel(context.Background())
	return s
}

// send exports batch in one request and returns the export's error. Every
// string of its spans must be valid UTF-8, or the exporter must make it
// so: each span went through valid before (in the batch processor, on the
// export goroutine; in immediate mode, on the goroutine that ended it). Once
// abort was called, the spans are counted as dropped instead, and the
// error is errAbandoned. The
// spans of a failed export are counted as dropped as well as the failed
// request: the exporter has given up on them, after its retries when the
// answer allowed any.
func (s *sender) send(batch []sdktrace.ReadOnlySpan) error {
	if s.ctx.Err() != nil {
		s.giveUp(len(batch))
		return errAbandoned
	}
	// Twice the request timeout: the exporter retries for up to one
	// timeout and its last attempt may take another.
	ctx, cancel := context.WithTimeout(s.ctx, 2*s.timeout)
	defer cancel()
	err := s.exp.ExportSpans(ctx, batch)
	var ee *ExportError
	switch {
	case err == nil:
		s.exported.Add(uint64(len(batch)))
	case errors.As(err, &ee) && (ee.Kind == "partial" || ee.Rejected > 0):
		return s.partial(err, ee, len(batch))
	case s.ctx.Err() != nil:
		s.giveUp(len(batch))
		return errAbandoned
	default:
		s.failed.Add(1)
		s.lastErr.Store(&failure{err})
		s.drop(len(batch))
		s.report(err, len(batch))
	}
	return err
}

// partial counts a batch of n spans that was delivered in part: the
// spans lost (ee.Rejected: rejected by the server, too large to send, or
// of a failed request when the batch went in several) are dropped, the
// rest exported, and the loss is logged and kept as the last error, which
// partial returns. A partial success that rejected nothing is a success
// with a warning, which is logged only. Only the requests that failed
// count as failed, not those answered with a 2xx.
func (s *sender) partial(err error, ee *ExportError, n int) error {
	rejected := int(min(max(ee.Rejected, 0), int64(n)))
	s.exported.Add(uint64(n - rejected))
	if ee.failedRequests > 0 && s.ctx.Err() != nil {
		// Shutdown cut short a batch sent in several requests.
		s.giveUp(rejected)
		return errAbandoned
	}
	s.failed.Add(uint64(ee.failedRequests))
	if rejected == 0 {
		s.warn("partial_warning", "langfuse: export accepted with a warning", "spans", n, "warning", ee.Body)
		return nil
	}
	s.drop(rejected)
	s.lastErr.Store(&failure{err})
	s.report(err, rejected)
	return err
}

// valid returns s with every string made valid UTF-8 (see utf8Fixer), or
// s itself when the exporter makes them valid as it encodes them.
func (s *sender) valid(span sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	if s.encodes {
		return span
	}
	return s.utf8.span(span)
}

// drop counts n spans that never reached the exporter.
func (s *sender) drop(n int) { s.dropped.Add(uint64(n)) }

// giveUp counts the n spans of an export abandoned by Shutdown.
func (s *sender) giveUp(n int) {
	s.drop(n)
	s.abandoned.Add(uint64(n))
	s.warn("shutdown", "langfuse: shutdown ended before every span was exported; the rest are counted as dropped")
}

// warn logs msg at warning level the first time kind happens and then at
// most once a minute, with "occurrences", how many times kind happened
// since the last warning, this one included (see package warn). It
// reports whether it logged.
func (s *sender) warn(kind, msg string, args ...any) bool {
	return s.warned.Warn(s.logger, kind, msg, args...)
}

func (s *sender) report(err error, n int) {
	kind, msg := "failed", "langfuse: export failed"
	if errors.Is(err, context.DeadlineExceeded) {
		kind, msg = "timeout", "langfuse: export timed out; check that "+config.EnvBaseURL+" answers, or raise "+config.EnvTimeout
	}
	var ee *ExportError
	if errors.As(err, &ee) {
		kind, msg, err = ee.Kind, "langfuse: "+ee.Hint, ee.Err
	}
	if !s.warn(kind, msg, "spans", n, "error", err) {
		s.logger.Debug(msg, "spans", n, "error", err)
	}
}

// lastError returns the error of the latest failed request, or nil.
func (s *sender) lastError() error {
	if f := s.lastErr.Load(); f != nil {
		return f.err
	}
	return nil
}

// late counts n spans that ended after Shutdown began, which are never
// exported, as dropped.
func (s *sender) late(n int) {
	s.drop(n)
	s.warn("late", "langfuse: a span ended after Shutdown and was dropped; end spans before shutting the client down")
}

// finish shuts the exporter down, then cancels any export still running,
// and returns what Shutdown reports: met, the error of the exports it
// waited for (errAbandoned is left out: those spans are told next); how
// many spans it gave up on when ctx ended, with ctx's error; and the
// exporter's own error, unless that is only ctx's. Every export must have
// returned: the counts are final.
func (s *sender) finish(ctx context.Context, met error) error {
	var errs []error
	if met != nil && !errors.Is(met, errAbandoned) {
		errs = append(errs, met)
	}
	if n := s.abandoned.Load(); n > 0 {
		errs = append(errs, fmt.Errorf("%d spans not exported: %w", n, cmp.Or(ctx.Err(), errAbandoned)))
	}
	err := s.exp.Shutdown(ctx)
	s.abort()
	if err != nil && (ctx.Err() == nil || !errors.Is(err, ctx.Err())) {
		errs = append(errs, fmt.Errorf("exporter shutdown: %w", err))
	}
	return errors.Join(errs...)
}

// exportErrors gathers the errors of the exports that a Flush or a
// Shutdown waited for.
type exportErrors struct {
	n, failed int
	last      error
	abandoned bool
}

func (e *exportErrors) note(err error) {
	e.n++
	switch {
	case err == nil:
	case errors.Is(err, errAbandoned):
		e.abandoned = true
	default:
		e.failed++
		e.last = err
	}
}

// err returns the error of the exports that failed: the last one's, with
// how many failed when more than one did; else errAbandoned if Shutdown
// gave up on one; else nil.
func (e *exportErrors) err() error {
	switch {
	case e.failed > 1:
		return fmt.Errorf("%d of %d exports failed, the last: %w", e.failed, e.n, e.last)
	case e.failed == 1:
		return e.last
	case e.abandoned:
		return errAbandoned
	}
	return nil
}
