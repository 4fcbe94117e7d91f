package tracing

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// typicalSpans are n spans shaped like the ones a Langfuse program sends
// most: a tool observation with a short JSON input and output.
func typicalSpans(n int) []sdktrace.ReadOnlySpan {
	res := resource.NewSchemaless(attribute.String("service.name", "checkout"))
	scope := instrumentation.Scope{Name: "langfuse-sdk", Version: "0.1.0"}
	start := time.Unix(1700000000, 0)
	stubs := make(tracetest.SpanStubs, n)
	for i := range stubs {
		var sid trace.SpanID
		binary.BigEndian.PutUint64(sid[:], uint64(i+1))
		stubs[i] = tracetest.SpanStub{
			Name: "search",
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
				SpanID:  sid, TraceFlags: trace.FlagsSampled,
			}),
			Parent:    trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}}),
			SpanKind:  trace.SpanKindInternal,
			StartTime: start.Add(time.Duration(i) * time.Millisecond),
			EndTime:   start.Add(time.Duration(i)*time.Millisecond + 3*time.Millisecond),
			Attributes: []attribute.KeyValue{
				attribute.String("langfuse.observation.type", "tool"),
				attribute.String("langfuse.observation.input", `{"query":"trail running shoes size 42","limit":10,"page":1}`),
				attribute.String("langfuse.observation.output", `{"results":[{"id":"sku-1841","score":0.93}],"total":1,"took_ms":12.5}`),
			},
			Resource:             res,
			InstrumentationScope: scope,
		}
	}
	return stubs.Snapshots()
}

// BenchmarkEncode compares writing a request of 512 typical spans with
// the encoder against what the stock OTLP/HTTP exporter does for the same
// batch. The stock conversion and marshalling are internal to it, so
// "stock" is a whole export to a transport that discards the request:
// conversion, marshalling and building the HTTP request, with no
// network. That overhead beyond encoding is small next to the rest, but it
// is in "stock" and not in "ours".
func BenchmarkEncode(b *testing.B) {
	spans := typicalSpans(512)
	// Both must do the same work for the comparison to mean anything.
	requireSameAsStock(b, spans)

	b.Run("ours", func(b *testing.B) {
		var enc otlpEncoder
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			buf = enc.appendRequest(buf[:0], spans)
		}
		perSpan(b, len(spans))
		if len(buf) == 0 {
			b.Fatal("nothing was encoded")
		}
	})

	b.Run("stock", func(b *testing.B) { benchExport(b, stockExporter, spans) })
}

// perSpan reports the time per span of b's loop, which handled n spans
// each time.
func perSpan(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/span")
}

// benchExport runs b's loop, each time exporting spans with the exporter
// that newExporter makes to send to a transport, and reports the time per
// span. It fails when nothing reached the transport.
func benchExport(b *testing.B, newExporter func(*testing.B, http.RoundTripper) sdktrace.SpanExporter, spans []sdktrace.ReadOnlySpan) {
	var sink discardTransport
	exp := newExporter(b, &sink)
	exportLoop(b, exp, spans)
	perSpan(b, len(spans))
	if sink.bytes.Load() == 0 {
		b.Fatal("nothing was sent")
	}
}

// exportLoop runs b's loop, each time exporting spans with exp.
func exportLoop(b *testing.B, exp sdktrace.SpanExporter, spans []sdktrace.ReadOnlySpan) {
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.ExportSpans(context.Background(), spans); err != nil {
			b.Fatal(err)
		}
	}
}

// stockExporter returns OpenTelemetry Go's OTLP/HTTP exporter sending
// through rt, shut down when b ends.
func stockExporter(b *testing.B, rt http.RoundTripper) sdktrace.SpanExporter {
	exp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL("http://collector.invalid/v1/traces"),
		otlptracehttp.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

// discardTransport reads and discards each request's body and answers
// 200 at once, so that an export costs what the exporter does and not
// what a network or server does.
type discardTransport struct{ bytes atomic.Int64 }

func (d *discardTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n, err := io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	d.bytes.Add(n)
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: http.NoBody, Request: r,
	}, nil
}

// BenchmarkEncodeDeep writes one span whose attribute, event, link,
// scope and resource hold a value nested depth slices and maps deep, for
// several depths: the time per level stays the same as the depth grows,
// where it grew with the depth before (20,000 levels took minutes).
// "invalid" has a string that is not valid UTF-8 at the bottom, so that
// the span goes through the UTF-8 fixer too; "stock" is the stock
// exporter's whole export, as in BenchmarkEncode.
//
// Besides the time per level (ns/level) it reports the process's CPU
// time per level (cpu-ns/level): on a machine shared with other work an
// operation of 100 ms waits for the CPU more, for its length, than one of
// 3 ms, which the CPU time does not count.
func BenchmarkEncodeDeep(b *testing.B) {
	for _, depth := range []int{500, 2000, 8000} {
		for _, c := range []struct{ name, leaf string }{{"", "leaf"}, {"invalid/", "a\xffb"}} {
			b.Run(fmt.Sprintf("%sdepth=%d", c.name, depth), func(b *testing.B) {
				spans := deepSpans(depth, c.leaf)
				var enc otlpEncoder
				var buf []byte
				b.ReportAllocs()
				perLevel(b, depth, func() {
					for b.Loop() {
						buf = enc.appendRequest(buf[:0], spans)
					}
				})
			})
		}
		b.Run(fmt.Sprintf("stock/depth=%d", depth), func(b *testing.B) {
			spans := deepSpans(depth, "leaf")
			exp := stockExporter(b, new(discardTransport))
			perLevel(b, depth, func() { exportLoop(b, exp, spans) })
		})
	}
}

// perLevel runs loop, which runs b's loop, and reports its time and the
// process's CPU time per level of a value depth deep.
func perLevel(b *testing.B, depth int, loop func()) {
	cpu0, ok0 := processCPU()
	loop()
	cpu1, ok1 := processCPU()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/level")
	if ok0 && ok1 {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N*depth), "cpu-ns/level")
	}
}
