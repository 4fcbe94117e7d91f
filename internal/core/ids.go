package core

import (
	"context"
	"crypto/rand"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/propctx"
)

// withRemoteParent returns ctx with a remote parent in trace traceID. With
// no parent id the parent is made up and the new span is marked as the
// trace's root, as the official SDKs do. Either way the parent is marked
// as one whose ids the program chose (propctx.WithChosenParent), which
// the sample rate decides, unlike a parent received from another service.
// Malformed ids leave ctx as it is.
func withRemoteParent(ctx context.Context, st *global.State, traceID, parentSpanID string) (context.Context, bool) {
	traceID, parentSpanID = strings.ToLower(traceID), strings.ToLower(parentSpanID)
	tid, err := trace.TraceIDFromHex(traceID)
	if err != nil || len(traceID) != 32 {
		st.Warn("WithTraceContext: trace id must be 32 hex digits, not all zero; ignored", "trace_id", traceID)
		return ctx, false
	}
	asRoot := parentSpanID == ""
	var sid trace.SpanID
	if asRoot {
		for !sid.IsValid() {
			_, _ = rand.Read(sid[:])
		}
	} else {
		sid, err = trace.SpanIDFromHex(parentSpanID)
		if err != nil || len(parentSpanID) != 16 {
			st.Warn("WithTraceContext: parent span id must be 16 hex digits, not all zero; ignored", "parent_span_id", parentSpanID)
			return ctx, false
		}
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    tid,
		SpanID:     sid,
		TraceFlags: trace.FlagsSampled,
		Remote:     true,
	})
	ctx = propctx.WithChosenParent(ctx, propctx.ChosenParent{TraceID: tid, SpanID: sid})
	return trace.ContextWithRemoteSpanContext(ctx, sc), asRoot
}
