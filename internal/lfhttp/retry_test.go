package lfhttp

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                     0,
		"0":                    0,
		"7":                    7 * time.Second,
		" 7 ":                  7 * time.Second,
		"-3":                   0,
		"soon":                 0,
		"1.5":                  0,
		"86400":                MaxRetryAfter,
		"86401":                MaxRetryAfter,
		"9223372037":           MaxRetryAfter, // seconds that overflow a Duration
		"18446744073709551615": MaxRetryAfter,
		"99999999999999999999": MaxRetryAfter, // beyond uint64
		now.Add(90 * time.Second).Format(http.TimeFormat):                   90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):                         0,
		now.AddDate(200, 0, 0).Format(http.TimeFormat):                      MaxRetryAfter,
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat): MaxRetryAfter,
	} {
		assert.Equal(t, want, RetryAfter(v, now), "Retry-After: %q", v)
	}
}

// TestRetrierGivesUpOnAHugeRetryAfter checks that a Retry-After far
// beyond the budget ends the retries at once instead of waiting, however
// large it is.
func TestRetrierGivesUpOnAHugeRetryAfter(t *testing.T) {
	for _, v := range []string{"3600", "9223372037", "99999999999999999999"} {
		r := NewRetrier(time.Millisecond, time.Millisecond, time.Minute)
		ctx, cancel := context.WithCancel(context.Background())
		err := r.Wait(ctx, RetryAfter(v, time.Now()))
		require.ErrorIs(t, err, errRetryWouldElapse, v)
		assert.NoError(t, ctx.Err(), "it did not wait")
		cancel()
	}
}

func TestRetrierWaitsAndEndsWithItsContext(t *testing.T) {
	r := NewRetrier(time.Millisecond, 2*time.Millisecond, time.Minute)
	for range 3 {
		require.NoError(t, r.Wait(context.Background(), 0))
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(context.DeadlineExceeded)
	assert.ErrorIs(t, r.Wait(ctx, 0), context.DeadlineExceeded)

	r = NewRetrier(time.Millisecond, time.Millisecond, 0)
	r.start = r.start.Add(-time.Second)
	assert.ErrorIs(t, r.Wait(context.Background(), 0), errRetryElapsed)
}
