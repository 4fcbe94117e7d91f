// Package warn rate-limits the library's warnings, so that a problem
// that recurs per span or per score neither floods the log nor goes
// silent: each kind of problem is logged the first time, then at most
// once a minute while it recurs, with how often it happened since the
// last line. Every warning of the library goes through it, with one
// attribute key for the count.
package warn

import (
	"log/slog"
	"sync"
	"time"
)

// Every is the least time between two warnings of one kind.
const Every = time.Minute

// Key is the attribute of a warning that says how many times its kind
// happened since the last warning of that kind, this one included.
const Key = "occurrences"

// Limiter logs warnings, each kind at most once per Every. The zero
// Limiter is ready to use. It is safe for concurrent use, and must not
// be copied after first use.
type Limiter struct {
	// Now is the clock, time.Now when nil; tests set it before the
	// Limiter is used.
	Now func() time.Time

	kinds sync.Map // kind -> *state
}

// state is what the log said last of one kind of problem.
type state struct {
	mu    sync.Mutex
	last  time.Time // of the last warning
	since int       // occurrences since then, not logged
}

// Warn logs msg with args at warning level through logger (slog's
// default when nil) the first time kind happens and then at most once
// every Every, adding Key: how many times kind happened since the last
// warning, this one included. It reports whether it logged; an
// occurrence it did not log is counted for the next line.
func (l *Limiter) Warn(logger *slog.Logger, kind, msg string, args ...any) bool {
	v, ok := l.kinds.Load(kind)
	if !ok {
		v, _ = l.kinds.LoadOrStore(kind, new(state))
	}
	s := v.(*state)
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	t := now()
	s.mu.Lock()
	s.since++
	n := s.since
	due := s.last.IsZero() || t.Sub(s.last) >= Every
	if due {
		s.last, s.since = t, 0
	}
	s.mu.Unlock()
	if !due {
		return false
	}
	if logger == nil {
		logger = slog.Default()
	}
	logger.Warn(msg, append(args[:len(args):len(args)], Key, n)...)
	return true
}
