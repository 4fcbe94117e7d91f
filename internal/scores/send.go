package scores

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Bounds on what is read of an answer: a 200 or 207 reply lists every
// event of the batch; an error answer is only quoted.
const (
	maxReplyRead = 1 << 20
	maxErrorRead = 4 << 10
)

// requestError is a request that got no usable answer.
type requestError struct {
	status     int           // 0: no answer (connection error, timeout)
	retryAfter time.Duration // what a 429 or 503 asked for
	msg        string        // redacted, bounded
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
	return e.status == 0 || e.status == http.StatusTooManyRequests || e.status >= 500
}

// errAbandoned is the error of a batch that Shutdown gave up on when its
// ctx ended; Shutdown reports those scores with ctx's error instead.
var errAbandoned = errors.New("scores abandoned by shutdown")

// send delivers batch in one request, retried on 429, 5xx and
// connection errors with growing, jittered waits, or what Retry-After
// asks when that is longer, until Timeout has passed since the first
// attempt. The body is encoded once, so every attempt carries the same
// event ids and the server keeps one copy of each score. It returns why
// scores of the batch were not delivered, nil when all were.
func (q *Queue) send(batch []Score) error {
	if q.ctx.Err() != nil {
		q.giveUp(len(batch))
		return errAbandoned
	}
	body, err := encode(batch)
	if err != nil {
		q.fail(len(batch), err)
		q.log.warn("encode", "langfuse: scores could not be encoded", "scores", len(batch), "error", err)
		return err
	}
	deadline := time.Now().Add(q.cfg.Timeout)
	// Twice the timeout: the last attempt may start just before the
	// deadline and take a timeout of its own.
	ctx, cancel := context.WithTimeout(q.ctx, 2*q.cfg.Timeout)
	defer cancel()
	wait := q.firstWait
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
		w := wait/2 + rand.N(wait) // wait ± half
		w = max(w, re.retryAfter)
		if time.Now().Add(w).After(deadline) {
			q.failBatch(len(batch), err)
			return err
		}
		t := time.NewTimer(w)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if q.ctx.Err() != nil {
				q.giveUp(len(batch))
				return errAbandoned
			}
			q.failBatch(len(batch), err)
			return err
		}
		wait = min(2*wait, q.maxWait)
	}
}

// post makes one request and returns the reply of a 2xx answer.
func (q *Queue) post(ctx context.Context, body []byte) (*ingestionReply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, q.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("score ingestion request: %w", err)
	}
	for k, v := range q.cfg.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := q.client.Do(req)
	if err != nil {
		return nil, &requestError{msg: redact(err.Error(), q.cfg.Secrets)}
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
	data, _ := io.ReadAll(io.LimitReader(resp.Body, int64(maxErrorRead+longest(q.cfg.Secrets))))
	return nil, &requestError{
		status:     resp.StatusCode,
		retryAfter: retryAfter(resp.Header.Get("Retry-After")),
		msg:        redact(string(data), q.cfg.Secrets),
	}
}

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
		msg = redact(msg, q.cfg.Secrets)
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

// retryAfter parses a Retry-After value, in seconds or as an HTTP date;
// 0 when absent or unreadable.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

func longest(ss []string) int {
	n := 0
	for _, s := range ss {
		n = max(n, len(s))
	}
	return n
}
