package tracing_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse/tracing"
)

// answerPartial makes recv answer every request with a 200 whose
// protobuf body is a partial success.
func answerPartial(t *testing.T, recv *otlpReceiver, rejected int64, msg string) {
	t.Helper()
	body, err := proto.Marshal(&coltrace.ExportTraceServiceResponse{PartialSuccess: &coltrace.ExportTracePartialSuccess{
		RejectedSpans: rejected, ErrorMessage: msg}})
	require.NoError(t, err)
	recv.mu.Lock()
	defer recv.mu.Unlock()
	recv.answer = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}

func warnLines(logs *bytes.Buffer) []string {
	var out []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level=WARN") {
			out = append(out, line)
		}
	}
	return out
}

// TestPartialSuccessCountsTheRejectedSpans checks that the spans an OTLP
// partial success rejects are counted as dropped and the rest as
// exported, that Flush and LastError report it with the server's message
// redacted and bounded, and that it is logged once a minute at most.
func TestPartialSuccessCountsTheRejectedSpans(t *testing.T) {
	recv := newOTLPReceiver(t, http.StatusOK)
	msg := "2 spans had a bad id; request had Basic " + strings.Repeat("A", 40) + " and sk-lf-2 " + strings.Repeat("x", 10<<10)
	answerPartial(t, recv, 2, msg)
	var logs bytes.Buffer
	p, tp := exportPipeline(t, recv.srv.URL, &logs)
	for range 5 {
		_, s := tracing.Tracer(tp).Start(context.Background(), "s")
		s.End()
	}

	err := tp.ForceFlush(context.Background())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee, "Flush returns the partial success")
	assert.Equal(t, "partial", ee.Kind)
	assert.Equal(t, http.StatusOK, ee.Status)
	assert.Equal(t, int64(2), ee.Rejected)
	assert.True(t, strings.HasPrefix(ee.Body, "2 spans had a bad id"), ee.Body)
	assert.LessOrEqual(t, len(ee.Body), 512, "the message is bounded")
	assert.Less(t, len(err.Error()), 2<<10, "the error is bounded")
	for _, secret := range []string{"sk-lf-2", strings.Repeat("A", 40)} {
		assert.NotContains(t, err.Error(), secret)
		assert.NotContains(t, logs.String(), secret)
	}
	assert.Equal(t, uint64(3), p.Exported())
	assert.Equal(t, uint64(2), p.Dropped())
	assert.Zero(t, p.Failed(), "the request was answered with a 2xx")
	assert.ErrorIs(t, err, p.LastError())
	require.Len(t, warnLines(&logs), 1)
	assert.Contains(t, logs.String(), "rejected 2 of its spans")

	// Again within the minute: counted, returned, not logged again.
	for range 5 {
		_, s := tracing.Tracer(tp).Start(context.Background(), "s")
		s.End()
	}
	require.ErrorAs(t, tp.ForceFlush(context.Background()), &ee)
	assert.Equal(t, uint64(6), p.Exported())
	assert.Equal(t, uint64(4), p.Dropped())
	assert.Len(t, warnLines(&logs), 1)
	assert.Len(t, recv.received(), 10, "the server saw every span")
}

func TestPartialSuccessEdges(t *testing.T) {
	for name, tc := range map[string]struct {
		rejected           int64
		msg                string
		exported, dropped  uint64
		flushErr, warnings bool
	}{
		"warning only": {rejected: 0, msg: "slow down", exported: 4, warnings: true},
		"more than sent": {rejected: 100, msg: "", exported: 0, dropped: 4, flushErr: true,
			warnings: true},
		"negative": {rejected: -3, msg: "odd", exported: 4, warnings: true},
		"empty":    {rejected: 0, msg: "", exported: 4},
	} {
		t.Run(name, func(t *testing.T) {
			recv := newOTLPReceiver(t, http.StatusOK)
			answerPartial(t, recv, tc.rejected, tc.msg)
			var logs bytes.Buffer
			p, tp := exportPipeline(t, recv.srv.URL, &logs)
			for range 4 {
				_, s := tracing.Tracer(tp).Start(context.Background(), "s")
				s.End()
			}
			err := tp.ForceFlush(context.Background())
			if tc.flushErr {
				assert.Error(t, err)
				assert.ErrorIs(t, err, p.LastError())
			} else {
				assert.NoError(t, err)
				assert.NoError(t, p.LastError())
			}
			assert.Equal(t, tc.exported, p.Exported())
			assert.Equal(t, tc.dropped, p.Dropped())
			assert.Zero(t, p.Failed())
			if tc.warnings {
				assert.Len(t, warnLines(&logs), 1, logs.String())
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
}

// TestPartialSuccessTooLongIsASuccess checks that a success's body past
// the read bound is not parsed, partial success or not: the spans count
// as exported.
func TestPartialSuccessTooLongIsASuccess(t *testing.T) {
	recv := newOTLPReceiver(t, http.StatusOK)
	body, err := proto.Marshal(&coltrace.ExportTraceServiceResponse{PartialSuccess: &coltrace.ExportTracePartialSuccess{
		RejectedSpans: 1, ErrorMessage: strings.Repeat("x", 80<<10)}})
	require.NoError(t, err)
	recv.answer = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, bytes.NewReader(body))
	}
	var logs bytes.Buffer
	p, tp := exportPipeline(t, recv.srv.URL, &logs)
	_, s := tracing.Tracer(tp).Start(context.Background(), "s")
	s.End()
	require.NoError(t, tp.ForceFlush(context.Background()))
	assert.Equal(t, uint64(1), p.Exported())
	assert.Zero(t, p.Dropped()+p.Failed())
	assert.Empty(t, logs.String())
}
