package tracing

import (
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
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
	rejected, msg, ok := parsePartialSuccess(body)
	if !ok || rejected == 0 && msg == "" {
		return
	}
	a.partial, a.rejected = true, rejected
	a.body = e.redact.text(msg, maxBodyShown)
}

// bodyText is the readable part of an error answer: the message of a
// protobuf google.rpc.Status, as OTLP servers send it, or the text itself.
func bodyText(contentType string, body []byte) string {
	if strings.HasPrefix(contentType, protobufContentType) {
		msg, ok := parseStatusMessage(body)
		if !ok {
			return ""
		}
		return msg
	}
	return string(body)
}

// The answers are read with protowire rather than with the generated OTLP
// and google.rpc types: the package of the former holds the gRPC service
// too, which would link gRPC into every program. The readers below accept
// and refuse what proto.Unmarshal does for those types (a fuzz test
// compares them), and read each byte once, so a hostile body costs time in
// its length, which the exporter bounds.

// Field numbers of the answers (opentelemetry-proto's
// collector/trace/v1/trace_service.proto, googleapis' google/rpc/status.proto
// and protobuf's google/protobuf/any.proto).
const (
	fResponsePartialSuccess = 1
	fPartialRejectedSpans   = 1
	fPartialErrorMessage    = 2
	fRPCStatusCode          = 1
	fRPCStatusMessage       = 2
	fRPCStatusDetails       = 3
	fAnyTypeURL             = 1
	fAnyValue               = 2
)

// parsePartialSuccess returns the rejected spans and the error message of
// the partial success of the ExportTraceServiceResponse in b, zero when it
// has none. ok is false when b is not such a message.
func parsePartialSuccess(b []byte) (rejected int64, msg string, ok bool) {
	ok = eachField(b, func(f wireField) bool {
		if f.num == fResponsePartialSuccess && f.typ == protowire.BytesType {
			// A message field that occurs again is merged into the first.
			return eachField(f.bytes, func(f wireField) bool {
				switch {
				case f.num == fPartialRejectedSpans && f.typ == protowire.VarintType:
					rejected = int64(f.varint)
				case f.num == fPartialErrorMessage && f.typ == protowire.BytesType:
					if !utf8.Valid(f.bytes) {
						return false
					}
					msg = string(f.bytes)
				}
				return true
			})
		}
		return true
	})
	if !ok {
		return 0, "", false
	}
	return rejected, msg, true
}

// parseStatusMessage returns the message of the google.rpc.Status in b.
// ok is false when b is not such a message.
func parseStatusMessage(b []byte) (msg string, ok bool) {
	ok = eachField(b, func(f wireField) bool {
		switch {
		case f.num == fRPCStatusMessage && f.typ == protowire.BytesType:
			if !utf8.Valid(f.bytes) {
				return false
			}
			msg = string(f.bytes)
		case f.num == fRPCStatusDetails && f.typ == protowire.BytesType:
			// A google.protobuf.Any, which is checked as it would be
			// decoded, and otherwise not read.
			return eachField(f.bytes, func(f wireField) bool {
				return f.num != fAnyTypeURL || f.typ != protowire.BytesType || utf8.Valid(f.bytes)
			})
		}
		// The code, an int32, needs no check beyond its varint's.
		return true
	})
	if !ok {
		return "", false
	}
	return msg, true
}

// wireField is one field of a protobuf message: its number, its wire
// type, and its value when that is a varint or length-delimited.
type wireField struct {
	num    protowire.Number
	typ    protowire.Type
	varint uint64
	bytes  []byte
}

// eachField calls fn with each field of the protobuf message in b, in
// order, and reports whether b is well formed and fn returned true for
// every field. Fields of a group, which no message read here has, are
// checked and skipped, as proto.Unmarshal skips unknown ones; nested
// groups deeper than protowire's recursion limit make b malformed.
func eachField(b []byte, fn func(wireField) bool) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num > protowire.MaxValidNumber {
			return false
		}
		b = b[n:]
		f := wireField{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.varint, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			f.bytes, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 || !fn(f) {
			return false
		}
		b = b[n:]
	}
	return true
}
