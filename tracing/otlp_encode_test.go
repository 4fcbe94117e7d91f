package tracing

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// stockRequest returns the request the stock OTLP/HTTP exporter sends for
// spans, decoded, with its ResourceSpans in a fixed order: it puts them
// in the order of a map.
func stockRequest(t testing.TB, spans []sdktrace.ReadOnlySpan) *coltracepb.ExportTraceServiceRequest {
	t.Helper()
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
	}))
	defer srv.Close()
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"))
	require.NoError(t, err)
	defer func() { _ = exp.Shutdown(context.Background()) }()
	require.NoError(t, exp.ExportSpans(context.Background(), spans))
	var req coltracepb.ExportTraceServiceRequest
	select {
	case b := <-bodies:
		require.NoError(t, proto.Unmarshal(b, &req))
	default:
		return &req // nothing was sent
	}
	sortResourceSpans(&req)
	return &req
}

// ourRequest returns what otlpEncoder writes for spans, decoded.
func ourRequest(t testing.TB, spans []sdktrace.ReadOnlySpan) *coltracepb.ExportTraceServiceRequest {
	t.Helper()
	var enc otlpEncoder
	b := enc.appendRequest(nil, spans)
	var req coltracepb.ExportTraceServiceRequest
	require.NoError(t, proto.Unmarshal(b, &req), "the encoding parses")
	sortResourceSpans(&req)
	return &req
}

func sortResourceSpans(req *coltracepb.ExportTraceServiceRequest) {
	sort.SliceStable(req.ResourceSpans, func(i, j int) bool {
		a, _ := proto.Marshal(req.ResourceSpans[i].GetResource())
		b, _ := proto.Marshal(req.ResourceSpans[j].GetResource())
		return string(a) < string(b)
	})
}

func requireSameAsStock(t testing.TB, spans []sdktrace.ReadOnlySpan) {
	t.Helper()
	want, got := stockRequest(t, spans), ourRequest(t, spans)
	if !proto.Equal(want, got) {
		t.Fatalf("the encoding differs from the stock exporter's:\nstock: %s\nours:  %s",
			prototext.Format(want), prototext.Format(got))
	}
}

func TestEncoderWritesWhatTheStockExporterSends(t *testing.T) {
	tid := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	ts, err := trace.ParseTraceState("vendor=x,other=y")
	require.NoError(t, err)
	parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{9, 9}, Remote: true})
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{7}, TraceFlags: trace.FlagsSampled, TraceState: ts})
	res := resource.NewWithAttributes("https://schema/res", attribute.String("service.name", "svc"), attribute.Int("n", 3))
	other := resource.NewSchemaless(attribute.String("service.name", "other"))
	scope := instrumentation.Scope{Name: "langfuse-sdk", Version: "1.2.3", SchemaURL: "https://schema/scope",
		Attributes: attribute.NewSet(attribute.Bool("b", true))}
	start := time.Unix(1700000000, 123456789)
	all := []attribute.KeyValue{
		attribute.String("s", "text é"), attribute.String("empty", ""), attribute.Bool("t", true), attribute.Bool("f", false),
		attribute.Int64("i", -5), attribute.Int64("zero", 0), attribute.Int64("big", math.MaxInt64), attribute.Float64("x", 1.5),
		attribute.Float64("nan", math.NaN()), attribute.BoolSlice("bs", []bool{true, false}), attribute.Int64Slice("is", []int64{0, -1, 300}),
		attribute.Float64Slice("fs", []float64{0, 2.5}), attribute.StringSlice("ss", []string{"", "a"}),
		attribute.StringSlice("none", nil), attribute.ByteSlice("bytes", []byte{0, 1, 2}), attribute.ByteSlice("nobytes", nil),
		attribute.Slice("slice", attribute.StringValue("a"), attribute.IntValue(1), attribute.MapValue(attribute.String("k", "v"))),
		attribute.Map("map", attribute.String("k", "v"), attribute.Slice("inner", attribute.BoolValue(true))),
		{Key: "emptyvalue"}, {Key: ""},
	}
	stubs := tracetest.SpanStubs{
		{
			Name: "full", SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled, TraceState: ts}),
			Parent: parent, SpanKind: trace.SpanKindServer, StartTime: start, EndTime: start.Add(time.Second),
			Attributes: all, DroppedAttributes: 3, DroppedEvents: 4, DroppedLinks: 5, ChildSpanCount: 2,
			Events: []sdktrace.Event{{Name: "ev", Time: start, Attributes: all[:3], DroppedAttributeCount: 1}, {}},
			Links:  []sdktrace.Link{{SpanContext: link, Attributes: all[:2], DroppedAttributeCount: 2}, {}},
			Status: sdktrace.Status{Code: codes.Error, Description: "it broke"}, Resource: res, InstrumentationScope: scope,
		},
		{Name: "ok", Status: sdktrace.Status{Code: codes.Ok}, SpanKind: trace.SpanKindConsumer, Resource: res, InstrumentationScope: scope},
		{Name: "other scope", SpanKind: trace.SpanKind(42), Resource: res, InstrumentationScope: instrumentation.Scope{Name: "http"}},
		{Name: "other resource", Resource: other, InstrumentationScope: scope, StartTime: time.Unix(-5, 0)},
		{Name: "no resource, no scope"},
		{Name: "back to the first", Resource: res, InstrumentationScope: scope},
		{Name: "same resource, another pointer", Resource: resource.NewWithAttributes("https://schema/res",
			attribute.String("service.name", "svc"), attribute.Int("n", 3)), InstrumentationScope: scope},
	}
	requireSameAsStock(t, stubs.Snapshots())
}

func TestEncoderEmptyBatch(t *testing.T) {
	var enc otlpEncoder
	assert.Empty(t, enc.appendRequest(nil, nil))
	assert.Empty(t, enc.appendRequest(nil, []sdktrace.ReadOnlySpan{nil}))
}

func TestEncoderMakesEveryStringValid(t *testing.T) {
	bad := "a\xffb"
	res := resource.NewSchemaless(attribute.String("service.name", bad))
	stubs := tracetest.SpanStubs{
		{Name: "good", Resource: res, Attributes: []attribute.KeyValue{attribute.String("k", "fine")}},
		{Name: bad, Resource: res, InstrumentationScope: instrumentation.Scope{Name: bad, Version: bad},
			Attributes: []attribute.KeyValue{
				attribute.String(bad, bad), attribute.StringSlice("ss", []string{bad}),
				attribute.Slice("slice", attribute.StringValue(bad)), attribute.Map("map", attribute.String(bad, bad)),
			},
			Events: []sdktrace.Event{{Name: bad, Attributes: []attribute.KeyValue{attribute.String("e", bad)}}},
			Links:  []sdktrace.Link{{Attributes: []attribute.KeyValue{attribute.String("l", bad)}}},
			Status: sdktrace.Status{Code: codes.Error, Description: bad}},
	}
	req := ourRequest(t, stubs.Snapshots()) // proto.Unmarshal rejects invalid UTF-8
	n := 0
	for _, rs := range req.GetResourceSpans() {
		assert.Equal(t, "a\uFFFDb", rs.GetResource().GetAttributes()[0].GetValue().GetStringValue())
		for _, ss := range rs.GetScopeSpans() {
			n += len(ss.GetSpans())
		}
	}
	assert.Equal(t, 2, n, "both spans are sent")
}

// TestEncoderManyGroups checks the grouping when spans of many scopes and
// resources come interleaved, as from a program with many tracers.
func TestEncoderManyGroups(t *testing.T) {
	resources := []*resource.Resource{
		resource.NewSchemaless(attribute.String("service.name", "a")),
		resource.NewSchemaless(attribute.String("service.name", "b")),
		nil,
	}
	var stubs tracetest.SpanStubs
	for i := range 300 {
		stubs = append(stubs, tracetest.SpanStub{
			Name:                 fmt.Sprintf("span %d", i),
			Resource:             resources[i%len(resources)],
			InstrumentationScope: instrumentation.Scope{Name: fmt.Sprintf("scope %d", i%50)},
		})
	}
	requireSameAsStock(t, stubs.Snapshots())
	req := ourRequest(t, stubs.Snapshots())
	require.Len(t, req.GetResourceSpans(), 3)
	for _, rs := range req.GetResourceSpans() {
		assert.Len(t, rs.GetScopeSpans(), 50, "one ScopeSpans per scope of a resource")
	}
}
