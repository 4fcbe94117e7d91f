package tracing

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
)

// attempt is what the transport saw of the requests of one export: the
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

type attemptKey struct{}

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

// recordingTransport notes each answer's status and the start of an error
// body in the attempt carried by the request's context. It replaces an
// error answer's body by its readable text, bounded and with the API keys
// redacted, so that the stock exporter, which quotes the body in its
// error, never sees more.
//
// A 2xx means the spans were accepted whatever its body says, except for
// the spans an OTLP partial success says it rejected. So a success's body
// reaches the stock exporter only when it is a protobuf
// ExportTraceServiceResponse with a partial success, re-encoded with its
// message bounded and redacted: the stock exporter then returns its
// partial-success error. Any other body is replaced by an empty one, as
// the stock exporter would read all of it and fail the export when it is
// not an OTLP response (Langfuse answers with JSON, which is not parsed).
type recordingTransport struct {
	base   http.RoundTripper
	redact redactor
}

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	if a == nil {
		a = new(attempt)
	}
	if err != nil {
		a.netErr = err
		return resp, err
	}
	*a = attempt{status: resp.StatusCode}
	if resp.Body == nil {
		return resp, nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// One byte more than the bound tells a body cut short from one
		// that fits, which alone is parsed.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxOKBodyRead+1))
		// Closing a longer body unread costs this connection only.
		_ = resp.Body.Close()
		resp.Body = http.NoBody
		resp.ContentLength = 0
		kept := t.partialSuccess(a, resp.Header.Get("Content-Type"), body)
		resp.Header.Del("Content-Type")
		resp.Header.Del("Content-Encoding")
		if kept != nil {
			resp.Body = io.NopCloser(bytes.NewReader(kept))
			resp.ContentLength = int64(len(kept))
			resp.Header.Set("Content-Type", protobufContentType)
		}
		return resp, nil
	}
	if resp.StatusCode >= 300 {
		head, _ := io.ReadAll(io.LimitReader(resp.Body, int64(maxBodyRead+t.redact.longest())))
		// The rest of the body is not worth reading; closing it unread
		// costs this connection only.
		_ = resp.Body.Close()
		a.body = t.redact.text(bodyText(resp.Header.Get("Content-Type"), head), maxBodyShown)
		resp.Body = io.NopCloser(strings.NewReader(a.body))
		resp.ContentLength = int64(len(a.body))
		resp.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	return resp, nil
}

// protobufContentType is the type of OTLP/HTTP's protobuf messages, the
// one the stock exporter parses a success's body as.
const protobufContentType = "application/x-protobuf"

// partialSuccess notes in a the partial success that body holds, if it is
// a protobuf ExportTraceServiceResponse of at most maxOKBodyRead bytes
// whose partial success rejected spans or says something, and returns it
// re-encoded with its message redacted and bounded; else it returns nil.
func (t recordingTransport) partialSuccess(a *attempt, contentType string, body []byte) []byte {
	if len(body) == 0 || len(body) > maxOKBodyRead || !strings.HasPrefix(contentType, protobufContentType) {
		return nil
	}
	var msg coltracepb.ExportTraceServiceResponse
	if proto.Unmarshal(body, &msg) != nil {
		return nil
	}
	ps := msg.GetPartialSuccess()
	if ps.GetRejectedSpans() == 0 && ps.GetErrorMessage() == "" {
		return nil
	}
	a.partial, a.rejected = true, ps.GetRejectedSpans()
	a.body = t.redact.text(ps.GetErrorMessage(), maxBodyShown)
	kept, err := proto.Marshal(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{
		RejectedSpans: a.rejected, ErrorMessage: a.body}})
	if err != nil {
		return nil
	}
	return kept
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
