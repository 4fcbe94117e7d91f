package tracing

import "time"

// SetClock makes p's log rate limit read the time from now. Call it
// before p is used.
func SetClock(p *ExportProcessor, now func() time.Time) { p.send.now = now }

// InFlight returns how many batches p exports at once, 0 in immediate
// mode.
func InFlight(p *ExportProcessor) int {
	if b, ok := p.head.(appRootProcessor).next.(*batchProcessor); ok {
		return cap(b.slots)
	}
	return 0
}
