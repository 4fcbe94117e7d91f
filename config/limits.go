package config

import (
	"fmt"
	"time"
)

// A setting outside these ranges is an error naming it: a value that
// fits an int or a duration can still exhaust memory when a buffer of that
// size is made, overflow when a deadline is computed from it, or spin a
// core when a timer fires that often.
const (
	MaxFlushAt         = 1 << 16 // spans per export request
	MaxQueueSize       = 1 << 20 // spans buffered for export
	MaxCaptureMaxBytes = 1 << 26 // bytes of one captured field

	MinFlushInterval = 10 * time.Millisecond
	MaxFlushInterval = 24 * time.Hour
	MinTimeout       = time.Millisecond
	MaxTimeout       = time.Hour
	// MaxPromptCacheTTL bounds PromptCacheTTL; its least is 0, no cache.
	MaxPromptCacheTTL = 24 * time.Hour
)

// intLimit is the accepted range of an integer setting.
type intLimit struct{ min, max int }

var (
	flushAtLimit    = intLimit{1, MaxFlushAt}
	queueLimit      = intLimit{1, MaxQueueSize}
	captureMaxLimit = intLimit{1, MaxCaptureMaxBytes}
)

func (l intLimit) ok(n int) bool { return n >= l.min && n <= l.max }

func (l intLimit) reason() string { return fmt.Sprintf("not an integer in [%d, %d]", l.min, l.max) }

// durationLimit is the accepted range of a duration setting.
type durationLimit struct{ min, max time.Duration }

var (
	flushIntervalLimit  = durationLimit{MinFlushInterval, MaxFlushInterval}
	timeoutLimit        = durationLimit{MinTimeout, MaxTimeout}
	promptCacheTTLLimit = durationLimit{0, MaxPromptCacheTTL}
)

func (l durationLimit) ok(d time.Duration) bool { return d >= l.min && d <= l.max }

func (l durationLimit) reason() string {
	return fmt.Sprintf("not a number of seconds in [%g, %g]", l.min.Seconds(), l.max.Seconds())
}
