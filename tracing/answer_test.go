package tracing

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// FuzzAnswer checks that the readers of an OTLP partial success and of a
// google.rpc.Status accept what proto.Unmarshal accepts into the
// generated types, refuse what it refuses, and read the same rejected
// count and messages. Its seeds in testdata/fuzz/FuzzAnswer are answers
// as they go wrong: cut short, fields again or with another wire type,
// unknown fields and groups, strings that are not UTF-8, field numbers
// and wire types that do not exist.
func FuzzAnswer(f *testing.F) {
	f.Add(marshalAnswer(f, &coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{
		RejectedSpans: 3, ErrorMessage: "3 spans had no trace id"}}))
	f.Add(marshalAnswer(f, &status.Status{Code: 3, Message: "bad request", Details: []*anypb.Any{
		{TypeUrl: "type.googleapis.com/google.rpc.BadRequest", Value: []byte{0x0a, 0x02, 'h', 'i'}}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var resp coltracepb.ExportTraceServiceResponse
		err := proto.Unmarshal(b, &resp)
		rejected, msg, ok := parsePartialSuccess(b)
		require.Equal(t, err == nil, ok, "partial success of %q: proto.Unmarshal says %v", b, err)
		if ok {
			assert.Equal(t, resp.GetPartialSuccess().GetRejectedSpans(), rejected, "rejected spans of %q", b)
			assert.Equal(t, resp.GetPartialSuccess().GetErrorMessage(), msg, "message of %q", b)
		}

		var st status.Status
		err = proto.Unmarshal(b, &st)
		msg, ok = parseStatusMessage(b)
		require.Equal(t, err == nil, ok, "status of %q: proto.Unmarshal says %v", b, err)
		if ok {
			assert.Equal(t, st.GetMessage(), msg, "status message of %q", b)
		}
	})
}

func marshalAnswer(tb testing.TB, m proto.Message) []byte {
	tb.Helper()
	b, err := proto.Marshal(m)
	require.NoError(tb, err)
	return b
}

func TestAnswerReaders(t *testing.T) {
	t.Run("partial success", func(t *testing.T) {
		for _, ps := range []*coltracepb.ExportTracePartialSuccess{
			nil, {}, {RejectedSpans: 3, ErrorMessage: "3 spans had no trace id"}, {RejectedSpans: -1}, {ErrorMessage: "slow down"},
		} {
			rejected, msg, ok := parsePartialSuccess(marshalAnswer(t, &coltracepb.ExportTraceServiceResponse{PartialSuccess: ps}))
			require.True(t, ok)
			assert.Equal(t, ps.GetRejectedSpans(), rejected)
			assert.Equal(t, ps.GetErrorMessage(), msg)
		}
		_, _, ok := parsePartialSuccess([]byte("\n\x03\x12\x01\xff"))
		assert.False(t, ok, "a message that is not UTF-8 makes the answer unreadable")
	})
	t.Run("status", func(t *testing.T) {
		msg, ok := parseStatusMessage(marshalAnswer(t, &status.Status{Code: 3, Message: "bad request", Details: []*anypb.Any{{TypeUrl: "t"}}}))
		require.True(t, ok)
		assert.Equal(t, "bad request", msg)
		_, ok = parseStatusMessage([]byte("\x12\x09short"))
		assert.False(t, ok, "a body cut short is unreadable")
	})
}
