package scores

import (
	"log/slog"

	"github.com/observe-go/langfuse/internal/warn"
)

// limiter logs each kind of problem at warning level the first time, then
// at most once a minute with how many times it happened since (see
// package warn), so that an outage later in the process is never silent
// and never floods the log. It is safe for concurrent use.
type limiter struct {
	logger *slog.Logger
	warned warn.Limiter
}

func newLimiter(logger *slog.Logger) *limiter {
	if logger == nil {
		logger = slog.Default()
	}
	return &limiter{logger: logger}
}

func (l *limiter) warn(kind, msg string, args ...any) {
	l.warned.Warn(l.logger, kind, msg, args...)
}
