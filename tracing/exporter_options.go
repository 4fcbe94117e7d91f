package tracing

import "net/http"

// ExporterOption configures NewExporter. Options are values that can be
// shared, and safe for concurrent use.
type ExporterOption interface {
	applyExporter(*exporterOptions)
}

type exporterOptions struct {
	client *http.Client
}

type exporterOptionFunc func(*exporterOptions)

func (f exporterOptionFunc) applyExporter(o *exporterOptions) { f(o) }

// WithHTTPClient makes the exporter send its requests through c: for a
// self-hosted Langfuse behind a private CA, a proxy, or mTLS. c is not
// changed: the exporter sends through a copy whose redirect policy first
// refuses what Exporter says it never follows, then applies c's own, and
// whose Timeout is cfg.Timeout unless c's is shorter. Shutdown leaves c's
// connections to c's owner. A nil c means a transport of the exporter's
// own.
func WithHTTPClient(c *http.Client) ExporterOption {
	return exporterOptionFunc(func(o *exporterOptions) { o.client = c })
}
