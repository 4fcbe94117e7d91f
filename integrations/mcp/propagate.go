package langfusemcp

import (
	"context"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

	"github.com/observe-go/langfuse/observe"
)

// The _meta keys of the W3C trace context and baggage, as the MCP
// specification reserves them (SEP-414) and the W3C headers are named.
const (
	keyTraceparent = "traceparent"
	keyTracestate  = "tracestate"
	keyBaggage     = "baggage"
)

// Bounds on the values read from an incoming _meta. A traceparent of
// version 00 is 55 characters, and later versions may only append to it;
// W3C asks propagators to keep 512 characters of tracestate, and limits
// baggage to 8192 bytes. A longer value is ignored whole, before any
// parsing, so a hostile caller costs a map lookup and a length check.
const (
	maxTraceparent = 512
	maxTracestate  = 8192
	maxBaggage     = 8192
)

// metaCarrier is a propagation.TextMapCarrier over the _meta of an MCP
// request. Get returns only string values within the bounds above, so a
// value of another JSON type, or an oversized one, reads as absent.
type metaCarrier map[string]any

var _ propagation.TextMapCarrier = metaCarrier(nil)

// Get returns the value of key, or "" when it is absent, not a string or
// longer than the bound for key.
func (c metaCarrier) Get(key string) string {
	v, ok := c[key].(string)
	if !ok || len(v) > maxLen(key) {
		return ""
	}
	return v
}

// Set sets key to value. It panics on a nil carrier, as writing to a nil
// map does; the middleware only sets on a map of its own.
func (c metaCarrier) Set(key, value string) { c[key] = value }

// Keys returns the propagation keys the carrier holds.
func (c metaCarrier) Keys() []string {
	var keys []string
	for _, k := range [...]string{keyTraceparent, keyTracestate, keyBaggage} {
		if c.Get(k) != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// maxLen is the longest value of key that is read.
func maxLen(key string) int {
	switch key {
	case keyTraceparent:
		return maxTraceparent
	case keyTracestate:
		return maxTracestate
	case keyBaggage:
		return maxBaggage
	}
	return 0 // no other key is read
}

// inject writes the W3C trace context of the span current in ctx, and
// the W3C baggage of ctx, into meta. The baggage is only in ctx when the
// program put it there: observe.PropagateAttributes with AsBaggage, a
// server that read it (WithReadBaggage), or OpenTelemetry's baggage API.
func inject(ctx context.Context, meta map[string]any) {
	c := metaCarrier(meta)
	propagation.TraceContext{}.Inject(ctx, c)
	propagation.Baggage{}.Inject(ctx, c)
}

// hasTraceContext reports whether meta holds a traceparent worth
// parsing: a string within its bound.
func hasTraceContext(meta map[string]any) bool {
	return metaCarrier(meta).Get(keyTraceparent) != ""
}

// extract returns ctx joined to the W3C trace context in meta, when it
// holds a valid one, so that an observation started under the result is
// a child of the caller's span, with the caller's sampling decision. A
// span already in ctx (such as the observation of the HTTP request that
// opened a streamable HTTP session) gives way to it: the message names
// its own parent. With readBaggage, the langfuse_* members of the baggage
// in meta become propagated attributes, and the baggage stays in ctx.
// Anything malformed is ignored quietly: it comes from the caller, and a
// warning per request would let any caller fill the log.
func extract(ctx context.Context, meta map[string]any, readBaggage bool) context.Context {
	if len(meta) == 0 {
		return ctx
	}
	c := metaCarrier(meta)
	if hasTraceContext(meta) {
		ctx = propagation.TraceContext{}.Extract(ctx, c)
	}
	if readBaggage && c.Get(keyBaggage) != "" {
		ctx = withBaggage(ctx, c)
	}
	return ctx
}

// withBaggage puts the W3C baggage of c in ctx and applies its langfuse_*
// members as propagated attributes.
func withBaggage(ctx context.Context, c metaCarrier) context.Context {
	ctx = propagation.Baggage{}.Extract(ctx, c)
	b := baggage.FromContext(ctx)
	if b.Len() == 0 {
		return ctx
	}
	a := observe.AttributesFromBaggage(b)
	if a.UserID == "" && a.SessionID == "" && a.Version == "" && a.TraceName == "" &&
		len(a.Tags) == 0 && len(a.Metadata) == 0 {
		return ctx
	}
	return observe.PropagateAttributes(ctx, a)
}
