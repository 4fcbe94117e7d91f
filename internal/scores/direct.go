package scores

import (
	"log/slog"
)

// Direct hands each score to a function on the goroutine that adds it:
// for the console and for an exporter of the program's own, which keep
// scores in the process. It is a Sink, safe for concurrent use if deliver
// is.
type Direct struct {
	deliver func(Score) error
	log     *limiter
	counters
}

var _ Sink = (*Direct)(nil)

// NewDirect returns a Direct that calls deliver; its errors are counted
// as failed and logged, once per kind.
func NewDirect(deliver func(Score) error, logger *slog.Logger) *Direct {
	return &Direct{deliver: deliver, log: newLimiter(logger)}
}

// Add delivers s.
func (d *Direct) Add(s Score) {
	if err := d.deliver(s); err != nil {
		d.fail(1, err)
		d.log.warn("deliver", "langfuse: a score could not be delivered", "score", s.Name, "error", err)
		return
	}
	d.sent.Add(1)
}

// Stats returns the counts so far.
func (d *Direct) Stats() Stats { return d.stats() }
