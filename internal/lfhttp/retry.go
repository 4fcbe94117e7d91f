package lfhttp

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter bounds the wait a Retry-After asks for: a longer one is
// taken as this, longer than any retry budget (LANGFUSE_TIMEOUT is at
// most an hour), so the request is given up at once rather than waited
// for, and the sums of waits cannot overflow.
const MaxRetryAfter = 24 * time.Hour

// RetryAfter reads a Retry-After header: whole seconds, or an HTTP date
// measured from now. It is 0 when v is neither, or a date already past,
// and at most MaxRetryAfter.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" {
		// Digits only: beyond uint64 they fail to parse, and are as
		// far off as any value over the bound.
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil || secs > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		// Sub saturates, so a date far ahead cannot overflow.
		return min(max(at.Sub(now), 0), MaxRetryAfter)
	}
	return 0
}

// Retrier paces the attempts of one request: between two, a backoff that
// starts at first and grows by half each time up to most, randomised by
// half either way so that clients that failed together do not retry
// together, or the answer's Retry-After when that is longer. It gives up
// once budget has passed since it was made, or when a Retry-After would
// take it past that. A Retrier is used by one goroutine.
type Retrier struct {
	start      time.Time
	budget     time.Duration
	wait, most time.Duration
}

// Errors of Retrier.Wait when the budget is spent.
var (
	errRetryElapsed     = errors.New("max retry time elapsed")
	errRetryWouldElapse = errors.New("max retry time would elapse")
)

// NewRetrier returns a Retrier whose budget starts now.
func NewRetrier(first, most, budget time.Duration) Retrier {
	first = max(first, 1)
	return Retrier{start: time.Now(), budget: budget, wait: first, most: max(most, first)}
}

// Wait waits before the next attempt, at least retryAfter. It returns an
// error instead when the budget is spent or would be by retryAfter, or,
// with ctx's cause, when ctx ends first.
func (r *Retrier) Wait(ctx context.Context, retryAfter time.Duration) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	elapsed := time.Since(r.start)
	if elapsed > r.budget {
		return errRetryElapsed
	}
	if elapsed+min(retryAfter, MaxRetryAfter) > r.budget {
		return errRetryWouldElapse
	}
	delay := max(retryAfter, r.wait/2+rand.N(r.wait))
	r.wait = min(r.wait*3/2, r.most)
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
