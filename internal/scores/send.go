package scores

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/observe-go/langfuse/internal/lfhttp"
)

// Bounds on what is read of an answer: a 200 or 207 reply lists every
// event of the batch; an error answer is only quoted. At most
// maxTextShown bytes of a text from the network are kept in a log or an
// error.
const (
	maxReplyRead = 1 << 20
	maxErrorRead = 4 << 10
	maxTextShown = 512
)

// requestError is a request that got no usable answer.
type requestError struct {
	status     int           // 0: no answer (connection error, timeout)
	retryAfter time.Duration // what a 429 or 503 asked for
	msg        string        // redacted, bounded
	untrusted  bool          // no answer: the server's certificate is not trusted
	permanent  bool          // no answer, and no retry mends it (lfhttp.Permanent)
}

func (e *requestError) Error() string {
	if e.status == 0 {
		return "score ingestion request failed: " + e.msg
	}
	if e.msg == "" {
		return fmt.Sprintf("score ingestion answered %d", e.status)
	}
	return fmt.Sprintf("score ingestion answered %d: %s", e.status, e.msg)
}

// retryable reports whether the same request may succeed later.
func (e *requestError) retryable() bool {
	return (e.status == 0 && !e.permanent) || e.status == http.StatusTooManyRequests || e.status >= 500
}

// redirected reports whether the answer was a redirect, not followed.
func (e *requestError) redirected() bool { return e.status >= 300 && e.status < 400 }

// errAbandoned is the error of a batch that Shutdown gave up on when its
// ctx ended; Shutdown reports those scores with ctx's error instead.
var errAbandoned = errors.New("scores abandoned by shutdown")

// errScoreTooLarge is the error of a score too large for any request.
var errScoreTooLarge = errors.New("score too large to send")

// send delivers batch in as few requests as keep each under the size
// limit; a score too large for a request of its own is dropped, counted
// and logged. It returns why scores of the batch were not delivered, the
// last reason when there were several, nil when all were.
func (q *Queue) send(batch []Score) error {
	if q.ctx.Err() != nil {
		q.giveUp(len(batch))
		return errAbandoned
	}
	var last error
	abandoned := false
	note := func(err error) {
		switch {
		case err == nil:
		case errors.Is(err, errAbandoned):
			abandoned = true
		default:
			last = err
		}
	}
	events := make([][]byte, 0, len(batch))
	kept := batch[:0:0]
	for _, s := range batch {
		e, err := encodeEvent(s)
		if err != nil {
			q.fail(1, err)
			q.log.warn("encode", "langfuse: a score could not be encoded", "score", s.Name, "error", err)
			note(err)
			continue
		}
		if len(e)+len(batchOpen)+len(batchClose) > q.cfg.MaxRequestBytes {
			q.dropped.Add(1)
			q.log.warn("too-large", fmt.Sprintf("langfuse: a score over the %d MiB limit of a request to Langfuse was not sent; "+
				"shorten its comment or metadata", q.cfg.MaxRequestBytes>>20),
				"score", s.Name, "bytes", len(e), "limit", q.cfg.MaxRequestBytes)
			note(fmt.Errorf("score %q: %w: %d bytes, over %d", s.Name, errScoreTooLarge, len(e), q.cfg.MaxRequestBytes))
			continue
		}
		events = append(events, e)
		kept = append(kept, s)
	}
	for len(kept) > 0 {
		n, body := batchBody(events, q.cfg.MaxRequestBytes)
		note(q.deliver(kept[:n], body))
		kept, events = kept[n:], events[n:]
	}
	if last == nil && abandoned {
		return errAbandoned
	}
	return last
}

// deliver sends the request of batch, whose body is body, retried on
// 429, 5xx and connection errors with growing, jittered waits, or what
// Retry-After asks when that is longer, until Timeout has passed since
// the first attempt. Every attempt carries the same event ids, so the
// server keeps one copy of each score. It returns why the scores were
// not delivered, nil when all were.
func (q *Queue) deliver(batch []Score, data []byte) error {
	if q.ctx.Err() != nil {
		q.giveUp(len(batch))
		return errAbandoned
	}
	// Twice the timeout: the last attempt may start just before the
	// deadline and take a timeout of its own.
	ctx, cancel := context.WithTimeout(q.ctx, 2*q.cfg.Timeout)
	defer cancel()
	body := lfhttp.NewBody(data, nil)
	defer body.Release()
	r := lfhttp.NewRetrier(q.firstWait, q.maxWait, q.cfg.Timeout)
	for {
		reply, err := q.post(ctx, body)
		if q.ctx.Err() != nil {
			q.giveUp(len(batch))
			return errAbandoned
		}
		if err == nil {
			return q.settle(batch, reply)
		}
		var re *requestError
		if !errors.As(err, &re) || !re.retryable() {
			q.failBatch(len(batch), err)
			return err
		}
		if werr := r.Wait(ctx, re.retryAfter); werr != nil {
			if q.ctx.Err() != nil {
				q.giveUp(len(batch))
				return errAbandoned
			}
			q.failBatch(len(batch), err)
			return err
		}
	}
}

// post makes one request and returns the reply of a 2xx answer.
func (q *Queue) post(ctx context.Context, body *lfhttp.Body) (*ingestionReply, error) {
	h := q.cfg.HTTP
	header := h.Header()
	header.Set("Content-Type", "application/json")
	req, err := h.NewRequest(ctx, http.MethodPost, h.URL(lfhttp.IngestionPath), header, body)
	if err != nil {
		return nil, fmt.Errorf("score ingestion request: %w", err)
	}
	resp, err := h.Do(req)
	if err != nil {
		var re *lfhttp.RedirectError
		if errors.As(err, &re) {
			return nil, &requestError{status: re.Status, msg: q.redact(re.Error())}
		}
		return nil, &requestError{msg: q.redact(err.Error()), untrusted: lfhttp.Untrusted(err), permanent: lfhttp.Permanent(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxReplyRead))
		var reply ingestionReply
		// A 2xx without a readable reply (a proxy's, or cut by the
		// bound) means the batch was taken: count it sent.
		_ = json.Unmarshal(data, &reply)
		return &reply, nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, int64(maxErrorRead+h.Redactor().Longest())))
	return nil, &requestError{
		status:     resp.StatusCode,
		retryAfter: lfhttp.RetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		msg:        q.redact(string(data)),
	}
}

// redact returns s without credentials, cut to maxTextShown bytes.
func (q *Queue) redact(s string) string { return q.cfg.HTTP.Redactor().Text(s, maxTextShown) }

// settle counts a 2xx answer: the events it lists as errors failed, the
// rest were taken. Each kind of rejection is logged with the server's
// message. It returns the last rejection, with how many there were when
// more than one, or nil.
func (q *Queue) settle(batch []Score, reply *ingestionReply) error {
	var last error
	failed := 0
	byEvent := make(map[string]*Score, len(batch))
	for i := range batch {
		byEvent[batch[i].EventID] = &batch[i]
	}
	for _, e := range reply.Errors {
		s, ok := byEvent[e.ID]
		if !ok {
			continue
		}
		delete(byEvent, e.ID)
		failed++
		msg := e.Message
		if msg == "" && len(e.Error) > 0 {
			msg = string(e.Error)
		}
		msg = q.redact(msg)
		err := fmt.Errorf("score %q rejected (%d): %s", s.Name, e.Status, msg)
		last = err
		q.fail(1, err)
		q.log.warn("rejected-"+strconv.Itoa(e.Status), "langfuse: the server rejected a score",
			"status", e.Status, "message", msg, "score", s.Name, "id", s.ID)
	}
	q.sent.Add(uint64(len(batch) - failed))
	if failed > 1 {
		return fmt.Errorf("%d of %d scores rejected, the last: %w", failed, len(batch), last)
	}
	return last
}

// failBatch counts a batch that will not be delivered and logs why.
func (q *Queue) failBatch(n int, err error) {
	q.fail(n, err)
	kind := "failed"
	var re *requestError
	if errors.As(err, &re) {
		kind = "status-" + strconv.Itoa(re.status)
	}
	hint := "langfuse: scores could not be delivered"
	switch {
	case re != nil && (re.status == http.StatusUnauthorized || re.status == http.StatusForbidden):
		hint += "; check LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY"
	case re != nil && re.untrusted:
		hint += "; the certificate of LANGFUSE_BASE_URL is not trusted: for a Langfuse behind a private CA, " +
			"give langfuse.WithHTTPClient a client that trusts it"
	case re != nil && re.redirected():
		hint += "; LANGFUSE_BASE_URL answers with a redirect, which is not followed: set it to the address Langfuse answers at"
	case re != nil && re.status == 0:
		hint += "; check that LANGFUSE_BASE_URL answers, or raise LANGFUSE_TIMEOUT"
	}
	q.log.warn(kind, hint, "scores", n, "error", err)
}

// giveUp counts the n scores of a batch abandoned by Shutdown.
func (q *Queue) giveUp(n int) {
	q.dropped.Add(uint64(n))
	q.abandoned.Add(uint64(n))
	q.log.warn("shutdown", "langfuse: shutdown ended before every score was sent; the rest are counted as dropped",
		"scores", n)
}
