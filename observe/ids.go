package observe

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"go.opentelemetry.io/otel/trace"
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
