package tracing

import (
	"io"
	"net/http"
	"strings"

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
// error, never sees more. It replaces a success's body by an empty one:
// a 2xx means the spans were accepted whatever its body says, and the
// stock exporter would otherwise read all of it and fail the export when
// it is not an OTLP response (Langfuse answers with JSON).
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
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxOKBodyRead))
		// Closing a longer body unread costs this connection only.
		_ = resp.Body.Close()
		resp.Body = http.NoBody
		resp.ContentLength = 0
		resp.Header.Del("Content-Type")
		resp.Header.Del("Content-Encoding")
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

// bodyText is the readable part of an error answer: the message of a
// protobuf google.rpc.Status, as OTLP servers send it, or the text itself.
func bodyText(contentType string, body []byte) string {
	if strings.HasPrefix(contentType, "application/x-protobuf") {
		var st status.Status
		if proto.Unmarshal(body, &st) != nil {
			return ""
		}
		return st.GetMessage()
	}
	return string(body)
}
