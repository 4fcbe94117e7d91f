package observe

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/global"
)

// CreateTraceID returns a trace id of 32 lowercase hex digits. The same
// seed always gives the same id (the first 16 bytes of the SHA-256 of the
// seed, as in the official Langfuse SDKs), so an id from your own system,
// such as a request or message id, finds its trace again. An empty seed
// gives a random id.
func CreateTraceID(seed string) string {
	var id [16]byte
	if seed == "" {
		_, _ = rand.Read(id[:])
	} else {
		sum := sha256.Sum256([]byte(seed))
		copy(id[:], sum[:16])
	}
	return hex.EncodeToString(id[:])
}

// TraceID returns the trace id of the span current in ctx, or "" when
// there is none.
func TraceID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}

// ObservationID returns the id of the span current in ctx, or "" when
// there is none.
func ObservationID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.HasSpanID() {
		return ""
	}
	return sc.SpanID().String()
}

// withRemoteParent returns ctx with a remote parent in trace traceID. With
// no parent id the parent is made up and the new span is marked as the
// trace's root, as the official SDKs do. Malformed ids leave ctx as it is.
func withRemoteParent(ctx context.Context, traceID, parentSpanID string) (context.Context, bool) {
	traceID, parentSpanID = strings.ToLower(traceID), strings.ToLower(parentSpanID)
	tid, err := trace.TraceIDFromHex(traceID)
	if err != nil || len(traceID) != 32 {
		global.WarnOnce("WithTraceContext: trace id must be 32 hex digits, not all zero; ignored", "trace_id", traceID)
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
			global.WarnOnce("WithTraceContext: parent span id must be 16 hex digits, not all zero; ignored", "parent_span_id", parentSpanID)
			return ctx, false
		}
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    tid,
		SpanID:     sid,
		TraceFlags: trace.FlagsSampled,
		Remote:     true,
	})
	return trace.ContextWithRemoteSpanContext(ctx, sc), asRoot
}
