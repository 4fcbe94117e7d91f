package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/lfhttp"
)

// ExportError is a failed export, with what the answer means for the user.
// Its text never holds the API keys: they are replaced by [REDACTED]
// wherever the server echoed them. Nothing changes an ExportError once it
// is returned, so it is safe for concurrent use.
type ExportError struct {
	// Kind names the failure: "unauthorized", "forbidden", "not_found",
	// "rejected", "too_large" (a 413, or spans too large for any request,
	// which were not sent), "rate_limited", "server", "redirected" (a
	// redirect that was not followed), "unreachable", "timeout",
	// "failed", or "partial" for a success whose OTLP partial success
	// rejected some spans or said something.
	Kind string
	// Status is the HTTP status of the last answer, 0 when there was none.
	// A retry that got no answer, cut short by the deadline, leaves the
	// answer before it.
	Status int
	// Body is the start of the last answer's body: the message of a
	// protobuf google.rpc.Status or partial success, or the text itself.
	Body string
	// Rejected is how many spans of the batch were lost when the export
	// did not fail whole: those a partial success rejected, those too
	// large for any request, and those of the failed requests of a batch
	// sent in several; the rest were accepted. It is 0 when the batch,
	// sent in one request, is lost whole.
	Rejected int64
	// Hint says what to check or change.
	Hint string
	// Err is the exporter's own error, with the API keys taken out of its
	// text. errors.Is still finds the context errors it holds.
	Err error

	// failedRequests is how many requests failed when Rejected counts
	// the spans lost.
	failedRequests int
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
	case s >= 300 && s < 400:
		ee.Kind, ee.Hint = "redirected", fmt.Sprintf("the export to %s was redirected (%d), which is not followed: "+
			"set %s to the address Langfuse answers at", endpoint, s, config.EnvBaseURL)
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
	case errors.Is(err, context.DeadlineExceeded) && (last.netErr == nil || errors.Is(last.netErr, context.DeadlineExceeded)):
		// Not a refused connection whose retries the deadline cut.
		ee.Kind, ee.Hint = "timeout", "export to "+endpoint+" timed out: check that "+config.EnvBaseURL+
			" answers, or raise "+config.EnvTimeout
	case last.netErr != nil && lfhttp.Untrusted(last.netErr):
		ee.Kind, ee.Hint = "unreachable", "the certificate of "+endpoint+" is not trusted: for a Langfuse behind a "+
			"private CA, give langfuse.WithHTTPClient a client that trusts it"
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

// outcome gathers what became of the requests of one export, and of the
// spans too large for any.
type outcome struct {
	pieces int   // requests, and one for the spans too large
	spans  int64 // of every piece
	lost   int64 // spans of failed requests, rejected ones, too large ones
	failed int   // requests
	first  *ExportError
}

// add notes a request of n spans and its failure or partial success,
// if any.
func (o *outcome) add(n int, ee *ExportError) {
	o.pieces++
	o.spans += int64(n)
	if ee == nil {
		return
	}
	if ee.Kind == "partial" {
		o.lost += min(max(ee.Rejected, 0), int64(n))
	} else {
		o.lost += int64(n)
		o.failed++
	}
	o.note(ee)
}

// note keeps the error that says most: a failed request's over spans
// too large, and those over a partial success.
func (o *outcome) note(ee *ExportError) {
	rank := func(e *ExportError) int {
		switch {
		case e.Kind == "partial":
			return 0
		case e.Status == 0 && e.Kind == "too_large":
			return 1
		}
		return 2
	}
	if o.first == nil || rank(ee) > rank(o.first) {
		o.first = ee
	}
}

// dropTooLarge notes the spans whose messages, of sizes, fit in no
// request of at most limit bytes.
func (o *outcome) dropTooLarge(sizes []int, limit int) {
	if len(sizes) == 0 {
		return
	}
	o.pieces++
	o.spans += int64(len(sizes))
	o.lost += int64(len(sizes))
	largest := 0
	for _, n := range sizes {
		largest = max(largest, n)
	}
	what := fmt.Sprintf("a span of %s, over the %s limit of a request to Langfuse, was not sent",
		byteSize(largest), byteSize(limit))
	if len(sizes) > 1 {
		what = fmt.Sprintf("%d spans over the %s limit of a request to Langfuse (the largest %s) were not sent",
			len(sizes), byteSize(limit), byteSize(largest))
	}
	o.note(&ExportError{Kind: "too_large", Rejected: int64(len(sizes)),
		Hint: what + ": lower " + config.EnvCaptureMaxBytes + " or set less on such spans",
		Err:  fmt.Errorf("%w: %d bytes, over %d", errSpanTooLarge, largest, limit)})
}

// errSpanTooLarge is the error of a span too large for any request.
var errSpanTooLarge = errors.New("span too large to send")

// err returns the error of the export: nil when every span was delivered;
// the failure or partial success of its one request as it is; otherwise
// the failure that says most, with the spans lost in Rejected.
func (o *outcome) err() error {
	if o.first == nil {
		return nil
	}
	if o.pieces == 1 {
		return o.first
	}
	ee := *o.first
	ee.Rejected, ee.failedRequests = o.lost, o.failed
	if o.lost > 0 {
		ee.Hint = fmt.Sprintf("%d of %d spans lost: %s", o.lost, o.spans, ee.Hint)
	}
	return &ee
}

// byteSize is n bytes for a reader: in MiB or KiB when it is that large.
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return strconvTrim(float64(n)/(1<<20)) + " MiB"
	case n >= 1<<10:
		return strconvTrim(float64(n)/(1<<10)) + " KiB"
	}
	return fmt.Sprintf("%d bytes", n)
}

// strconvTrim is f with at most one decimal, none when it is whole.
func strconvTrim(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}
