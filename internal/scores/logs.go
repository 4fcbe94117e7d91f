package scores

import (
	"log/slog"
	"sync"
	"time"
)

// logEvery is how often a problem of one kind is logged again while it
// keeps happening.
const logEvery = time.Minute

// limiter logs each kind of problem at warning level the first time, then
// at most once per logEvery with how many times it happened since, so
// that an outage later in the process is never silent and never floods
// the log. Repeats in between go to debug level. It is safe for
// concurrent use.
type limiter struct {
	logger *slog.Logger
	every  time.Duration

	mu    sync.Mutex
	kinds map[string]*kindLog
}

type kindLog struct {
	last   time.Time
	repeat int // since last
}

func newLimiter(logger *slog.Logger) *limiter {
	if logger == nil {
		logger = slog.Default()
	}
	return &limiter{logger: logger, every: logEvery, kinds: map[string]*kindLog{}}
}

func (l *limiter) warn(kind, msg string, args ...any) {
	now := time.Now()
	l.mu.Lock()
	k := l.kinds[kind]
	if k == nil {
		l.kinds[kind] = &kindLog{last: now}
		l.mu.Unlock()
		l.logger.Warn(msg, args...)
		return
	}
	k.repeat++
	if now.Sub(k.last) < l.every {
		l.mu.Unlock()
		l.logger.Debug(msg, args...)
		return
	}
	n := k.repeat
	k.last, k.repeat = now, 0
	l.mu.Unlock()
	l.logger.Warn(msg, append(args, "repeated", n)...)
}
