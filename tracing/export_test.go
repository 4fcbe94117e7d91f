package tracing

import "time"

// SetClock makes p's log rate limit read the time from now. Call it
// before p is used.
func SetClock(p *ExportProcessor, now func() time.Time) { p.send.now = now }
