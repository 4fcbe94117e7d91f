package scores

import (
	"sync/atomic"
)

// Stats counts what became of the scores given to a sink.
type Stats struct {
	Sent      uint64 // accepted by the backend
	Dropped   uint64 // never sent: queue full, too large for a request, or Shutdown ended first
	Failed    uint64 // rejected by the backend, or given up on after retries
	LastError error  // the latest delivery error; nil when none happened
}

// Sink takes validated, stamped scores. Add never blocks on the network
// and never fails: what becomes of a score is counted in Stats and
// logged. Sinks are safe for concurrent use.
type Sink interface {
	Add(s Score)
	Stats() Stats
}

// counters is the part of a sink that counts; it is safe for concurrent
// use.
type counters struct {
	sent, dropped, failed atomic.Uint64
	lastErr               atomic.Pointer[boxedError]
}

type boxedError struct{ err error }

func (c *counters) fail(n int, err error) {
	c.failed.Add(uint64(n))
	if err != nil {
		c.lastErr.Store(&boxedError{err})
	}
}

func (c *counters) stats() Stats {
	st := Stats{Sent: c.sent.Load(), Dropped: c.dropped.Load(), Failed: c.failed.Load()}
	if b := c.lastErr.Load(); b != nil {
		st.LastError = b.err
	}
	return st
}
