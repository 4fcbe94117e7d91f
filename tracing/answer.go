package tracing

import (
	"strings"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
)

// attempt is what the exporter saw of the requests of one export: the
// last answer, and the error of the last request if it got none. An
// answer outlives a later request that gets none, such as a retry that
// the export's deadline cuts short, because it says more about why the
// export failed.
type attempt struct {
	status int
	body   string // readable, redacted and cut to maxBodyShown
	netErr error  // of the last request, if it got no answer
	// partial is set when a success's body is an OTLP partial success
	// that rejected spans or carries a message: body is then its
	// message and rejected the spans it rejected.
	partial  bool
	rejected int64
}

// Bounds on an error answer's body. At most maxBodyRead bytes, plus room
// for a credential that straddles the limit, are read; the rest is never
// read. At most maxBodyShown bytes of its text are kept. Of a success's
// body at most maxOKBodyRead bytes are read, so that a short one leaves
// the connection fit for reuse, and none is kept.
const (
	maxBodyRead   = 4 << 10
	maxBodyShown  = 512
	maxOKBodyRead = 64 << 10
)

// protobufContentType is the type of OTLP/HTTP's protobuf messages.
const protobufContentType = "application/x-protobuf"

// partialSuccess notes in a the partial success that body holds, if it is
// a protobuf ExportTraceServiceResponse of at most maxOKBodyRead bytes
// whose partial success rejected spans or says something, with its message
// redacted and bounded. Any other body says nothing: Langfuse answers a
// protobuf request with JSON, which is not parsed.
func (e *Exporter) partialSuccess(a *attempt, contentType string, body []byte) {
	if len(body) == 0 || len(body) > maxOKBodyRead || !strings.HasPrefix(contentType, protobufContentType) {
		return
	}
	var msg coltracepb.ExportTraceServiceResponse
	if proto.Unmarshal(body, &msg) != nil {
		return
	}
	ps := msg.GetPartialSuccess()
	if ps.GetRejectedSpans() == 0 && ps.GetErrorMessage() == "" {
		return
	}
	a.partial, a.rejected = true, ps.GetRejectedSpans()
	a.body = e.redact.text(ps.GetErrorMessage(), maxBodyShown)
}

// bodyText is the readable part of an error answer: the message of a
// protobuf google.rpc.Status, as OTLP servers send it, or the text itself.
func bodyText(contentType string, body []byte) string {
	if strings.HasPrefix(contentType, protobufContentType) {
		var st status.Status
		if proto.Unmarshal(body, &st) != nil {
			return ""
		}
		return st.GetMessage()
	}
	return string(body)
}
