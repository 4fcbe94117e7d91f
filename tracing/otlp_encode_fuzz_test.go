package tracing

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

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
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// FuzzOTLPEncode builds a batch of spans from the input and checks that
// the encoder's request parses, is the same for a reused encoder and
// after bytes already in the buffer, and is what the stock exporter sends
// when every string is valid UTF-8. When one is not, the stock exporter
// sends nothing, so it checks instead that every span still arrives with
// its strings made valid.
//
// Each input that finds new code is minimized first, which takes
// thousands of runs and shows as seconds of no progress; with
// -fuzzminimizetime 200x the fuzzer spends that time on new inputs.
func FuzzOTLPEncode(f *testing.F) {
	stock := newStockSink(f)
	f.Add([]byte(nil))
	// Random bytes, half the seeds' below 0x80 so that their strings are
	// valid whatever their first byte says. A fixed source keeps the seeds
	// the same from run to run.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 12 {
		seed := make([]byte, 50+rng.IntN(250))
		for j := range seed {
			seed[j] = byte(rng.UintN(256))
			if i%2 == 0 {
				seed[j] &= 0x7f
			}
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{b: data}
		stubs := in.batch()
		spans := stubs.Snapshots()
		got := ourRequest(t, spans)
		requireSameOnReuse(t, spans)
		if !in.invalid {
			requireSameRequest(t, stock.request(t, spans), got, in.nan)
			return
		}
		requireSpansMadeValid(t, stubs, got)
	})
}

// requireSameOnReuse checks that an encoder which already encoded the
// batch, and so remembers its resource, writes it again the same way, and
// that what is already in the buffer is kept and not written over.
func requireSameOnReuse(t *testing.T, spans []sdktrace.ReadOnlySpan) {
	t.Helper()
	var enc otlpEncoder
	first := enc.appendRequest(nil, spans)
	prefix := []byte("already here")
	second := enc.appendRequest(prefix, spans)
	require.Equal(t, "already here", string(second[:len(prefix)]))
	require.Equal(t, first, second[len(prefix):], "a reused encoder writes the same request")
}

// requireSameRequest fails unless want and got are the same request. A NaN
// is not equal to itself for proto.Equal, so a batch holding one is
// compared by its bytes, which for the same fields in the same order
// (deterministic marshalling, messages decoded by one library) are the
// same.
func requireSameRequest(t *testing.T, want, got *coltracepb.ExportTraceServiceRequest, nan bool) {
	t.Helper()
	if proto.Equal(want, got) {
		return
	}
	if nan {
		det := proto.MarshalOptions{Deterministic: true}
		wb, err := det.Marshal(want)
		require.NoError(t, err)
		gb, err := det.Marshal(got)
		require.NoError(t, err)
		if bytes.Equal(wb, gb) {
			return
		}
	}
	t.Fatalf("the encoding differs from the stock exporter's:\nstock: %s\nours:  %s",
		prototext.Format(want), prototext.Format(got))
}

// requireSpansMadeValid checks that every span of stubs is in req once,
// with its name, status message, attributes' keys and string values and
// event names as they were, their invalid bytes turned into U+FFFD.
func requireSpansMadeValid(t *testing.T, stubs tracetest.SpanStubs, req *coltracepb.ExportTraceServiceRequest) {
	t.Helper()
	byID := make(map[trace.SpanID]*tracepb.Span)
	n := 0
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				byID[trace.SpanID(sp.GetSpanId())] = sp
				n++
			}
		}
	}
	require.Equal(t, len(stubs), n, "every span arrives, once")
	valid := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
	for _, st := range stubs {
		sp := byID[st.SpanContext.SpanID()]
		require.NotNil(t, sp, "span %s arrives", st.SpanContext.SpanID())
		assert.Equal(t, valid(st.Name), sp.GetName())
		assert.Equal(t, valid(st.Status.Description), sp.GetStatus().GetMessage())
		require.Len(t, sp.GetAttributes(), len(st.Attributes))
		for j, kv := range st.Attributes {
			got := sp.GetAttributes()[j]
			assert.Equal(t, valid(string(kv.Key)), got.GetKey())
			if kv.Value.Type() == attribute.STRING {
				assert.Equal(t, valid(kv.Value.AsString()), got.GetValue().GetStringValue())
			}
		}
		require.Len(t, sp.GetEvents(), len(st.Events))
		for j, ev := range st.Events {
			assert.Equal(t, valid(ev.Name), sp.GetEvents()[j].GetName())
		}
	}
}

// stockSink is one OTLP/HTTP server and stock exporter for a whole fuzz
// target: a server and exporter per input would cost more than the rest
// of the input's checks together.
type stockSink struct {
	mu     sync.Mutex // one export at a time, so the body is the export's
	bodies chan []byte
	exp    sdktrace.SpanExporter
}

func newStockSink(tb testing.TB) *stockSink {
	s := &stockSink{bodies: make(chan []byte, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.bodies <- b
	}))
	tb.Cleanup(srv.Close)
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	s.exp = exp
	return s
}

// request is what stockRequest returns, through the shared exporter.
func (s *stockSink) request(t testing.TB, spans []sdktrace.ReadOnlySpan) *coltracepb.ExportTraceServiceRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NoError(t, s.exp.ExportSpans(context.Background(), spans))
	var req coltracepb.ExportTraceServiceRequest
	select {
	case b := <-s.bodies:
		require.NoError(t, proto.Unmarshal(b, &req))
	default: // nothing was sent
	}
	sortResourceSpans(&req)
	return &req
}

// fuzzInput reads a batch of spans from fuzz bytes. Past the end it reads
// zeros, so that every input is a batch.
type fuzzInput struct {
	b []byte
	// validOnly makes every string valid UTF-8, so that half the inputs
	// are compared with the stock exporter: random bytes would make
	// nearly every batch hold an invalid string.
	validOnly bool
	invalid   bool // a string that is not valid UTF-8 went into the batch
	nan       bool // a NaN went into the batch
	depth     int  // of slices and maps being read
	chain     int  // the depth of the deepest chain of slices and maps read
}

func (in *fuzzInput) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzInput) n(limit int) int { return int(in.byte()) % limit }

// u64 reads a length of 0-8 and that many bytes, so that a number
// costs the input no more bytes than it needs.
func (in *fuzzInput) u64() uint64 {
	var b [8]byte
	for i := range in.n(9) {
		b[i] = in.byte()
	}
	return binary.LittleEndian.Uint64(b[:])
}

// rawStr is a string of any bytes, not checked.
func (in *fuzzInput) rawStr() string {
	n := min(in.n(24), len(in.b))
	s := string(in.b[:n])
	in.b = in.b[n:]
	return s
}

// str is a string that goes into the batch.
func (in *fuzzInput) str() string {
	s := in.rawStr()
	if in.validOnly {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !utf8.ValidString(s) {
		in.invalid = true
	}
	return s
}

func (in *fuzzInput) f64() float64 {
	x := math.Float64frombits(in.u64())
	if math.IsNaN(x) {
		in.nan = true
	}
	return x
}

// when is a time: the zero time, one before 1970, or any nanosecond
// count the wire could carry.
func (in *fuzzInput) when() time.Time {
	switch in.n(4) {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(-1-int64(in.byte())*1e6, int64(in.byte()))
	case 2:
		return time.Unix(1700000000+int64(in.byte()), int64(in.u64()%1e9))
	default:
		return time.Unix(0, int64(in.u64()))
	}
}

func (in *fuzzInput) dropped() int {
	switch in.n(4) {
	case 0:
		return 0
	case 1:
		return int(in.byte())
	case 2:
		return -1 - int(in.byte())
	default:
		return int(int64(in.u64())) // past MaxUint32 and negative ones
	}
}

func (in *fuzzInput) value() attribute.Value {
	kind := in.n(14)
	if in.depth >= 2 && (kind == 10 || kind == 11 || kind == 13) {
		kind = 4 // slices and maps nest two deep, no more, but in a chain
	}
	switch kind {
	case 0:
		return attribute.Value{} // EMPTY
	case 1:
		return attribute.BoolValue(in.byte()&1 == 1)
	case 2:
		return attribute.Int64Value(int64(in.u64()))
	case 3:
		return attribute.Float64Value(in.f64())
	case 4:
		return attribute.StringValue(in.str())
	case 5:
		xs := make([]bool, in.n(4))
		for i := range xs {
			xs[i] = in.byte()&1 == 1
		}
		return attribute.BoolSliceValue(xs)
	case 6:
		xs := make([]int64, in.n(4))
		for i := range xs {
			xs[i] = int64(in.u64())
		}
		return attribute.Int64SliceValue(xs)
	case 7:
		xs := make([]float64, in.n(4))
		for i := range xs {
			xs[i] = in.f64()
		}
		return attribute.Float64SliceValue(xs)
	case 8:
		xs := make([]string, in.n(4))
		for i := range xs {
			xs[i] = in.str()
		}
		return attribute.StringSliceValue(xs)
	case 9:
		if in.byte()&1 == 0 {
			return attribute.ByteSliceValue(nil)
		}
		return attribute.ByteSliceValue([]byte(in.rawStr())) // bytes need not be UTF-8
	case 10:
		in.depth++
		defer func() { in.depth-- }()
		xs := make([]attribute.Value, in.n(4))
		for i := range xs {
			xs[i] = in.value()
		}
		return attribute.SliceValue(xs...)
	case 11:
		in.depth++
		defer func() { in.depth-- }()
		return attribute.MapValue(in.attrs()...)
	case 13:
		// A chain of slices and maps up to 256 deep, which costs the
		// input two bytes, around any other value.
		depth := 1 + int(in.byte())
		in.depth += 2
		defer func() { in.depth -= 2 }()
		in.chain = max(in.chain, depth)
		return deepValueOf(depth, in.value())
	default:
		return attribute.Int64Value(int64(int8(in.byte()))) // small, and negative ones
	}
}

func (in *fuzzInput) attrs() []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, in.n(5))
	for i := range kvs {
		kvs[i] = attribute.KeyValue{Key: attribute.Key(in.str()), Value: in.value()}
	}
	return kvs
}

func (in *fuzzInput) resource() *resource.Resource {
	switch in.n(4) {
	case 0:
		return nil
	case 1:
		return resource.Empty()
	default:
		return resource.NewWithAttributes(in.str(), in.attrs()...)
	}
}

func (in *fuzzInput) scope() instrumentation.Scope {
	if in.n(4) == 0 {
		return instrumentation.Scope{}
	}
	return instrumentation.Scope{Name: in.str(), Version: in.str(), SchemaURL: in.str(), Attributes: attribute.NewSet(in.attrs()...)}
}

func (in *fuzzInput) spanContext(sid trace.SpanID) trace.SpanContext {
	var tid trace.TraceID
	binary.LittleEndian.PutUint64(tid[:8], in.u64())
	binary.LittleEndian.PutUint64(tid[8:], in.u64())
	var ts trace.TraceState
	for range in.n(3) {
		// Trace state refuses what is not in its grammar, so it never
		// holds invalid UTF-8; what it refuses is left out.
		if next, err := ts.Insert(fmt.Sprintf("k%d", in.n(10)), in.rawStr()); err == nil {
			ts = next
		}
	}
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.TraceFlags(in.byte()), TraceState: ts, Remote: in.byte()&1 == 1,
	})
}

func (in *fuzzInput) anySpanID() trace.SpanID {
	var sid trace.SpanID
	if in.byte()&1 == 1 { // else the zero ID, which is no parent
		binary.LittleEndian.PutUint64(sid[:], in.u64())
	}
	return sid
}

// batch reads whether its strings are all valid, then 1-6 spans of 1-3
// resources and 1-3 scopes. Each span's ID is its position, so that it
// can be found in the request.
func (in *fuzzInput) batch() tracetest.SpanStubs {
	in.validOnly = in.byte()&1 == 0
	resources := make([]*resource.Resource, 1+in.n(3))
	for i := range resources {
		resources[i] = in.resource()
	}
	scopes := make([]instrumentation.Scope, 1+in.n(3))
	for i := range scopes {
		scopes[i] = in.scope()
	}
	stubs := make(tracetest.SpanStubs, 1+in.n(6))
	for i := range stubs {
		var sid trace.SpanID
		binary.BigEndian.PutUint64(sid[:], uint64(i+1))
		st := tracetest.SpanStub{
			Name:        in.str(),
			SpanContext: in.spanContext(sid),
			Parent:      in.spanContext(in.anySpanID()),
			SpanKind:    trace.SpanKind(int8(in.byte())),
			StartTime:   in.when(),
			EndTime:     in.when(),
			Attributes:  in.attrs(),
			Status:      sdktrace.Status{Code: codes.Code(in.n(4)), Description: in.str()}, // 3 is no code
			Resource:    resources[in.n(len(resources))],

			InstrumentationScope: scopes[in.n(len(scopes))],
			DroppedAttributes:    in.dropped(),
			DroppedEvents:        in.dropped(),
			DroppedLinks:         in.dropped(),
		}
		for range in.n(3) {
			st.Events = append(st.Events, sdktrace.Event{Name: in.str(), Time: in.when(), Attributes: in.attrs(), DroppedAttributeCount: in.dropped()})
		}
		for range in.n(3) {
			st.Links = append(st.Links, sdktrace.Link{SpanContext: in.spanContext(in.anySpanID()), Attributes: in.attrs(), DroppedAttributeCount: in.dropped()})
		}
		stubs[i] = st
	}
	return stubs
}

// TestEncoderLargeMessages checks messages whose length prefixes take two,
// three and four bytes: a 200-byte, 20 KiB and 3 MiB string attribute,
// and a batch of 600 spans whose ScopeSpans runs to tens of KiB.
func TestEncoderLargeMessages(t *testing.T) {
	res := resource.NewSchemaless(attribute.String("service.name", "svc"))
	scope := instrumentation.Scope{Name: "langfuse-sdk"}
	start := time.Unix(1700000000, 0)
	for _, size := range []int{200, 20 << 10, 3 << 20} {
		t.Run(fmt.Sprintf("%d bytes", size), func(t *testing.T) {
			stubs := tracetest.SpanStubs{{
				Name: "big", Resource: res, InstrumentationScope: scope, StartTime: start, EndTime: start,
				Attributes: []attribute.KeyValue{attribute.String("big", strings.Repeat("é", size/2))},
			}}
			requireSameAsStock(t, stubs.Snapshots())
		})
	}
	t.Run("600 spans", func(t *testing.T) {
		stubs := make(tracetest.SpanStubs, 600)
		for i := range stubs {
			var sid trace.SpanID
			binary.BigEndian.PutUint64(sid[:], uint64(i+1))
			stubs[i] = tracetest.SpanStub{
				Name:        fmt.Sprintf("span %d", i),
				SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: sid}),
				Resource:    res, InstrumentationScope: scope, StartTime: start, EndTime: start.Add(time.Duration(i)),
				Attributes: []attribute.KeyValue{attribute.Int("i", i)},
			}
		}
		spans := stubs.Snapshots()
		requireSameAsStock(t, spans)
		var enc otlpEncoder
		assert.Greater(t, len(enc.appendRequest(nil, spans)), 1<<14, "the ScopeSpans needs a three-byte length prefix")
	})
}
