package langfusemcp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

func TestMetaCarrierBounds(t *testing.T) {
	for _, tc := range []struct {
		key   string
		bound int
	}{
		{keyTraceparent, maxTraceparent},
		{keyTracestate, maxTracestate},
		{keyBaggage, maxBaggage},
	} {
		c := metaCarrier{tc.key: strings.Repeat("a", tc.bound)}
		assert.Len(t, c.Get(tc.key), tc.bound, "%s at its bound is read", tc.key)
		assert.Equal(t, []string{tc.key}, c.Keys())
		c[tc.key] = strings.Repeat("a", tc.bound+1)
		assert.Empty(t, c.Get(tc.key), "%s past its bound is ignored whole", tc.key)
		assert.Empty(t, c.Keys())
	}
	c := metaCarrier{"progressToken": "p1", keyTraceparent: 7, keyBaggage: []any{"x"}}
	assert.Empty(t, c.Get("progressToken"), "only the propagation keys are read")
	assert.Empty(t, c.Get(keyTraceparent), "a number is no traceparent")
	assert.Empty(t, c.Get(keyBaggage))
	assert.Empty(t, c.Keys())
	assert.Empty(t, metaCarrier(nil).Get(keyTraceparent))
}

func TestInjectExtractRoundTrip(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:     trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		TraceFlags: 0, // sampled out: the decision travels too
	})
	ts, err := trace.ParseTraceState("vendor=opaque")
	assert.NoError(t, err)
	sc = sc.WithTraceState(ts)
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	m, err := baggage.NewMember("langfuse_user_id", "u1")
	assert.NoError(t, err)
	b, err := baggage.New(m)
	assert.NoError(t, err)
	ctx = baggage.ContextWithBaggage(ctx, b)

	meta := map[string]any{}
	inject(ctx, meta)
	assert.Equal(t, "00-0102030405060708090a0b0c0d0e0f10-0102030405060708-00", meta[keyTraceparent])
	assert.Equal(t, "vendor=opaque", meta[keyTracestate])
	assert.Equal(t, "langfuse_user_id=u1", meta[keyBaggage])

	got := trace.SpanContextFromContext(extract(context.Background(), meta, false))
	assert.True(t, got.IsRemote())
	assert.Equal(t, sc.TraceID(), got.TraceID())
	assert.Equal(t, sc.SpanID(), got.SpanID())
	assert.False(t, got.IsSampled())
	assert.Equal(t, "vendor=opaque", got.TraceState().String())

	assert.Equal(t, 0, baggage.FromContext(extract(context.Background(), meta, false)).Len(),
		"baggage is read only when asked for")
	assert.Equal(t, "u1", baggage.FromContext(extract(context.Background(), meta, true)).Member("langfuse_user_id").Value())
}

// TestExtractKeepsSpanWithoutMeta: without a trace context in _meta the
// span in ctx stays the parent; with one, the message's wins.
func TestExtractKeepsSpanWithoutMeta(t *testing.T) {
	local := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{9}, SpanID: trace.SpanID{9}, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), local)
	assert.Equal(t, local, trace.SpanContextFromContext(extract(ctx, nil, true)))
	assert.Equal(t, local, trace.SpanContextFromContext(extract(ctx, map[string]any{"traceparent": "garbage"}, true)))
	got := trace.SpanContextFromContext(extract(ctx, map[string]any{
		"traceparent": "00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01"}, true))
	assert.Equal(t, "0102030405060708090a0b0c0d0e0f10", got.TraceID().String())
}

func TestObservationName(t *testing.T) {
	assert.Equal(t, "forecast", observationName("forecast"))
	assert.Equal(t, "tools/call", observationName(""))
	assert.Equal(t, "a\uFFFDb", observationName("a\xffb"))
	long := strings.Repeat("é", 200) // 400 bytes
	got := observationName(long)
	assert.Equal(t, strings.Repeat("é", 128)+"…", got, "cut on a rune boundary")
}

func TestClip(t *testing.T) {
	assert.Equal(t, "", clip("abc", 0))
	assert.Equal(t, "abc", clip("abc", 5))
	assert.Equal(t, "ab", clip("abc", 2))
	assert.Equal(t, "a", clip("aé", 2), "never splits a rune")
}

func TestInputOf(t *testing.T) {
	small := json.RawMessage(`{"city":"Faro"}`)
	assert.Equal(t, small, inputOf(small))
	big := make(json.RawMessage, maxArguments+1)
	assert.Equal(t, "[arguments of 16777217 bytes not recorded]", inputOf(big))
}
