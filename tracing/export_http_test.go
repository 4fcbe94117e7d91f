package tracing

// SetRequestLimit makes e split its requests at limit bytes instead of
// the documented limit, so that tests need not build requests of 16 MiB.
// Call it before e is used.
func SetRequestLimit(e *Exporter, limit int) { e.limit = limit }
