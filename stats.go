package langfuse

// Stats counts what happened to the client's spans and scores so far.
// A program can read them beside the logs, which report each kind of
// problem once a minute at most.
type Stats struct {
	Exported  uint64 // spans the backend accepted
	Dropped   uint64 // spans that will never be delivered, whatever the reason (queue full, rejected or failed batch, rejected in a partial success, too large for a request, shutdown deadline, ended after Shutdown)
	Failed    uint64 // export requests that failed
	LastError error  // the most recent export error; nil when none happened yet

	ScoresSent    uint64 // scores the backend (or a ScoreExporter, or the console) took
	ScoresDropped uint64 // scores never sent: queue full, too large for a request, or Shutdown's ctx ended first
	ScoresFailed  uint64 // scores the backend rejected, or that failed after every retry
	// LastScoreError is the most recent score delivery error, with the
	// server's message when it gave one; nil when none happened yet.
	LastScoreError error
}

// Stats returns the client's counts so far. Once Shutdown has returned
// they are final, except that a span ending afterwards adds to Dropped.
// With tracing disabled, or a TracerProvider of the program's own, the
// span counts are zero.
func (c *Client) Stats() Stats {
	var st Stats
	if c == nil {
		return st
	}
	if c.proc != nil {
		st.Exported, st.Dropped, st.Failed, st.LastError = c.proc.Exported(), c.proc.Dropped(), c.proc.Failed(), c.proc.LastError()
	}
	if c.state != nil && c.state.Scores != nil {
		ss := c.state.Scores.Stats()
		st.ScoresSent, st.ScoresDropped, st.ScoresFailed, st.LastScoreError = ss.Sent, ss.Dropped, ss.Failed, ss.LastError
	}
	return st
}
