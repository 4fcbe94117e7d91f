package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/observe-go/langfuse/config"
)

// ExportError is a failed export, with what the answer means for the user.
// Its text never holds the API keys: they are replaced by [REDACTED]
// wherever the server echoed them. Nothing changes an ExportError once it
// is returned, so it is safe for concurrent use.
type ExportError struct {
	// Kind names the failure: "unauthorized", "forbidden", "not_found",
	// "rejected", "too_large", "rate_limited", "server", "unreachable",
	// "timeout", "failed", or "partial" for a success whose OTLP partial
	// success rejected some spans or said something.
	Kind string
	// Status is the HTTP status of the last answer, 0 when there was none.
	// A retry that got no answer, cut short by the deadline, leaves the
	// answer before it.
	Status int
	// Body is the start of the last answer's body: the message of a
	// protobuf google.rpc.Status or partial success, or the text itself.
	Body string
	// Rejected is how many spans of the batch a partial success says it
	// rejected; the rest were accepted. It is 0 for other kinds, whose
	// batch is lost whole.
	Rejected int64
	// Hint says what to check or change.
	Hint string
	// Err is the exporter's own error, with the API keys taken out of its
	// text. errors.Is still finds the context errors it holds.
	Err error
}

// Error returns the hint and the exporter's error.
func (e *ExportError) Error() string { return e.Hint + ": " + e.Err.Error() }

// Unwrap returns the exporter's own error.
func (e *ExportError) Unwrap() error { return e.Err }

// classify turns a failed export into an ExportError from the last answer
// the transport saw, with credentials taken out of err's text.
func classify(err error, last *attempt, endpoint string, r redactor) *ExportError {
	ee := &ExportError{Kind: "failed", Status: last.status, Body: last.body, Err: r.error(err),
		Hint: "export to " + endpoint + " failed"}
	switch s := last.status; {
	case last.partial && s >= 200 && s < 300:
		ee.Kind, ee.Rejected = "partial", last.rejected
		ee.Hint = fmt.Sprintf("Langfuse accepted the batch but rejected %d of its spans: %s", last.rejected, orEmpty(last.body))
	case s == http.StatusUnauthorized:
		ee.Kind, ee.Hint = "unauthorized", "Langfuse rejected the API keys (401): check "+
			config.EnvPublicKey+" and "+config.EnvSecretKey+", and that "+config.EnvBaseURL+" is the region of the project"
	case s == http.StatusForbidden:
		ee.Kind, ee.Hint = "forbidden", "Langfuse refused the export (403): the project may be suspended or the keys lack access"
	case s == http.StatusNotFound || s == http.StatusMethodNotAllowed:
		ee.Kind, ee.Hint = "not_found", fmt.Sprintf("no Langfuse OpenTelemetry endpoint at %s (%d): check %s", endpoint, s, config.EnvBaseURL)
	case s == http.StatusRequestEntityTooLarge:
		ee.Kind, ee.Hint = "too_large", "Langfuse refused a batch as too large (413): lower "+
			config.EnvFlushAt+" or "+config.EnvCaptureMaxBytes
	case s == http.StatusTooManyRequests:
		ee.Kind, ee.Hint = "rate_limited", "Langfuse rate-limited the export (429) beyond the retries; spans were dropped"
	case s >= 400 && s < 500:
		ee.Kind, ee.Hint = "rejected", fmt.Sprintf("Langfuse rejected the batch (%d): %s", s, orEmpty(last.body))
	case s == http.StatusBadGateway || s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout:
		ee.Kind, ee.Hint = "server", fmt.Sprintf("Langfuse answered %d beyond the retries; spans were dropped", s)
	case s >= 500:
		ee.Kind, ee.Hint = "server", fmt.Sprintf("Langfuse answered %d, which is not retried; spans were dropped", s)
	case errors.Is(err, context.DeadlineExceeded):
		ee.Kind, ee.Hint = "timeout", "export to "+endpoint+" timed out: check that "+config.EnvBaseURL+
			" answers, or raise "+config.EnvTimeout
	case last.netErr != nil:
		ee.Kind, ee.Hint = "unreachable", "cannot reach Langfuse at "+endpoint+": check "+config.EnvBaseURL+" and the network"
	}
	return ee
}

func orEmpty(s string) string {
	if s == "" {
		return "(empty answer)"
	}
	return s
}
