package tracing

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                     0,
		"0":                    0,
		"7":                    7 * time.Second,
		"-3":                   0,
		"soon":                 0,
		"1.5":                  0,
		"99999999999999999999": 0, // does not parse as int64
		"9223372036":           9223372036 * time.Second,
		"9223372037":           math.MaxInt64, // would overflow
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		assert.Equal(t, want, retryAfter(v, now), "Retry-After: %q", v)
	}
}
