package tracing

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// deepValue is a value depth slices and maps deep, alternately, with a
// number beside each level and the string leaf at the bottom: what other
// instrumentation on the same provider may set, such as a parsed JSON
// document.
func deepValue(depth int, leaf string) attribute.Value {
	return deepValueOf(depth, attribute.StringValue(leaf))
}

// deepValueOf is deepValue with any value at the bottom.
func deepValueOf(depth int, v attribute.Value) attribute.Value {
	for i := range depth {
		if i%2 == 0 {
			v = attribute.SliceValue(attribute.IntValue(i), v)
		} else {
			v = attribute.MapValue(attribute.Int("i", i), attribute.KeyValue{Key: "next", Value: v})
		}
	}
	return v
}

// deepSpans is one span with a deep value in an attribute, an event, a
// link, its scope and its resource.
func deepSpans(depth int, leaf string) []sdktrace.ReadOnlySpan {
	v := deepValue(depth, leaf)
	deep := []attribute.KeyValue{attribute.String("k", "v"), {Key: "deep", Value: v}}
	start := time.Unix(1700000000, 0)
	stubs := tracetest.SpanStubs{{
		Name: "deep",
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled,
		}),
		StartTime: start, EndTime: start.Add(time.Second),
		Attributes:           deep,
		Events:               []sdktrace.Event{{Name: "ev", Time: start, Attributes: deep}},
		Links:                []sdktrace.Link{{SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{2}, SpanID: trace.SpanID{2}}), Attributes: deep}},
		Resource:             resource.NewSchemaless(attribute.String("service.name", "svc"), attribute.KeyValue{Key: "deep", Value: v}),
		InstrumentationScope: instrumentation.Scope{Name: "other", Attributes: attribute.NewSet(deep...)},
	}}
	return stubs.Snapshots()
}

// stockBody returns the body the stock OTLP/HTTP exporter sends for
// spans, undecoded: a value this deep is past what proto.Unmarshal
// accepts.
func stockBody(tb testing.TB, spans []sdktrace.ReadOnlySpan) []byte {
	tb.Helper()
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
	}))
	defer srv.Close()
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"))
	require.NoError(tb, err)
	defer func() { _ = exp.Shutdown(context.Background()) }()
	require.NoError(tb, exp.ExportSpans(context.Background(), spans))
	select {
	case b := <-bodies:
		return b
	default:
		tb.Fatal("the stock exporter sent nothing")
		return nil
	}
}

// TestEncoderDeepValues checks that values nested deep, to 20,000
// levels, are written byte for byte as the stock exporter writes them,
// and that when the string at the bottom is not valid UTF-8 they are
// written as the stock exporter writes the value made valid.
func TestEncoderDeepValues(t *testing.T) {
	for _, depth := range []int{1, 2, 3, 100, 20000} {
		t.Run(fmt.Sprintf("depth=%d", depth), func(t *testing.T) {
			want := stockBody(t, deepSpans(depth, "leaf é"))
			var enc otlpEncoder
			got := enc.appendRequest(nil, deepSpans(depth, "leaf é"))
			require.Equal(t, want, got, "the encoding differs from the stock exporter's")

			want = stockBody(t, deepSpans(depth, "a\uFFFDb"))
			got = enc.appendRequest(nil, deepSpans(depth, "a\xffb"))
			require.Equal(t, want, got, "an invalid string is written as the stock exporter writes it made valid")
		})
	}
}

// TestEncoderDeepValuesAllocLinear checks that writing a deep value
// costs allocations in its depth, not in its square: each level costs
// the same number of allocations as the levels above it. Writing each
// level allocates its copy of the values within it, so before each level
// was measured once, measuring every level again at each level above it
// cost allocations in the square of the depth. Allocation counts, unlike
// times, do not vary with the load of the machine.
func TestEncoderDeepValuesAllocLinear(t *testing.T) {
	allocs := func(depth int, leaf string) float64 {
		spans := deepSpans(depth, leaf)
		var enc otlpEncoder
		buf := enc.appendRequest(nil, spans)
		return testing.AllocsPerRun(5, func() { buf = enc.appendRequest(buf[:0], spans) })
	}
	for name, leaf := range map[string]string{"valid": "leaf", "invalid": "a\xffb"} {
		t.Run(name, func(t *testing.T) {
			a100, a200, a400 := allocs(100, leaf), allocs(200, leaf), allocs(400, leaf)
			perLevel := (a200 - a100) / 100
			require.Positive(t, perLevel)
			assert.InDelta(t, perLevel, (a400-a200)/200, perLevel/10,
				"allocations per level: %.0f at depth 100, %.0f at 200, %.0f at 400", a100, a200, a400)
		})
	}
}
