package tracing_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

// otlpReceiver is an OTLP/HTTP endpoint on 127.0.0.1 that decodes every
// request and answers status, or what answer writes when it is set.
type otlpReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	spans  []*tracepb.Span
	res    []*resourcepb.Resource // of each ResourceSpans received
	status int
	answer func(w http.ResponseWriter)
}

func newOTLPReceiver(t *testing.T, status int) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var msg coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &msg); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		status, answer := r.status, r.answer
		if status/100 == 2 {
			for _, rs := range msg.GetResourceSpans() {
				r.res = append(r.res, rs.GetResource())
				for _, ss := range rs.GetScopeSpans() {
					r.spans = append(r.spans, ss.GetSpans()...)
				}
			}
		}
		r.mu.Unlock()
		if answer != nil {
			answer(w)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *otlpReceiver) received() []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tracepb.Span(nil), r.spans...)
}

// exportPipeline is an ExportProcessor in batched mode with the real
// exporter to base, in a TracerProvider that exports every span. Up to
// 100 spans leave only when ForceFlush asks, in one request.
func exportPipeline(t *testing.T, base string, logs io.Writer, opts ...sdktrace.TracerProviderOption) (*tracing.ExportProcessor, *sdktrace.TracerProvider) {
	t.Helper()
	cfg := exporterConfig(base)
	cfg.ExportMode = config.ExportBatched
	cfg.FlushAt = 100
	cfg.FlushInterval = time.Hour // only ForceFlush exports
	exp, err := tracing.NewExporter(context.Background(), cfg)
	require.NoError(t, err)
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithFilter(tracing.ExportAll),
		tracing.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	tp := tracing.NewTracerProvider(cfg, p, opts...)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return p, tp
}

func TestOneInvalidUTF8SpanCostsNoOtherSpan(t *testing.T) {
	recv := newOTLPReceiver(t, http.StatusOK)
	var logs bytes.Buffer
	p, tp := exportPipeline(t, recv.srv.URL, &logs)
	for range 10 {
		_, s := tracing.Tracer(tp).Start(context.Background(), "good", trace.WithAttributes(attribute.String("k", "v")))
		s.End()
	}
	// Another tracer's span, bad in every kind of string.
	_, bad := tp.Tracer("other\xff").Start(context.Background(), "bad\xff")
	bad.SetAttributes(attribute.String("key\xff", "val\xff"), attribute.StringSlice("list", []string{"ok", "x\xffy"}),
		attribute.Int("n", 7))
	bad.AddEvent("event\xff", trace.WithAttributes(attribute.String("e", "\xfe")))
	bad.AddLink(trace.Link{SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}}), Attributes: []attribute.KeyValue{attribute.String("l", "\xff")}})
	bad.SetStatus(codes.Error, "status\xff")
	bad.End()

	require.NoError(t, tp.ForceFlush(context.Background()))
	spans := recv.received()
	require.Len(t, spans, 11, "logs: %s", logs.String())
	assert.Equal(t, uint64(11), p.Exported())
	assert.Zero(t, p.Dropped()+p.Failed())
	assert.Empty(t, logs.String())

	var got *tracepb.Span
	for _, s := range spans {
		if s.GetName() != "good" {
			got = s
		}
	}
	require.NotNil(t, got)
	assert.Equal(t, "bad\uFFFD", got.GetName())
	attrs := map[string]string{}
	for _, kv := range got.GetAttributes() {
		attrs[kv.GetKey()] = kv.GetValue().String()
	}
	assert.Contains(t, attrs["key\uFFFD"], "val\uFFFD")
	assert.Contains(t, attrs["list"], "x\uFFFDy")
	assert.Contains(t, attrs["n"], "7")
	require.Len(t, got.GetEvents(), 1)
	assert.Equal(t, "event\uFFFD", got.GetEvents()[0].GetName())
	assert.Contains(t, got.GetEvents()[0].GetAttributes()[0].GetValue().String(), "\uFFFD")
	require.Len(t, got.GetLinks(), 1)
	assert.Contains(t, got.GetLinks()[0].GetAttributes()[0].GetValue().String(), "\uFFFD")
	assert.Equal(t, "status\uFFFD", got.GetStatus().GetMessage())
}

func (r *otlpReceiver) resources() []*resourcepb.Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*resourcepb.Resource(nil), r.res...)
}

// TestInvalidUTF8ResourceCostsNoSpan checks that a resource attribute
// that is not valid UTF-8, from the environment or from the program, is
// sent with U+FFFD instead of costing every batch.
func TestInvalidUTF8ResourceCostsNoSpan(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		own  *resource.Resource
		want map[string]string
	}{
		"environment": {
			env:  map[string]string{"OTEL_SERVICE_NAME": "svc\xff", "OTEL_RESOURCE_ATTRIBUTES": "team=a%FFb,region=eu"},
			want: map[string]string{"service.name": "svc\uFFFD", "team": "a\uFFFDb", "region": "eu"},
		},
		"program's own": {
			own: resource.NewWithAttributes("https://schema\xfe", attribute.String("service.name", "svc"),
				attribute.StringSlice("hosts\xff", []string{"a", "b\xff"}), attribute.Int("n", 3)),
			want: map[string]string{"service.name": "svc", "hosts\uFFFD": "b\uFFFD", "n": "3"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			res := tc.own
			if tc.env != nil {
				for k, v := range tc.env {
					t.Setenv(k, v)
				}
				var err error
				res, err = resource.New(context.Background(), resource.WithFromEnv())
				require.NoError(t, err)
			}
			recv := newOTLPReceiver(t, http.StatusOK)
			var logs bytes.Buffer
			p, tp := exportPipeline(t, recv.srv.URL, &logs, sdktrace.WithResource(res))
			for range 3 {
				_, s := tracing.Tracer(tp).Start(context.Background(), "s")
				s.End()
			}
			require.NoError(t, tp.ForceFlush(context.Background()))
			require.Len(t, recv.received(), 3, "logs: %s", logs.String())
			assert.Equal(t, uint64(3), p.Exported())
			assert.Zero(t, p.Dropped()+p.Failed())
			assert.Empty(t, logs.String())

			resources := recv.resources()
			require.Len(t, resources, 1, "one resource for the spans of one provider")
			got := map[string]string{}
			for _, kv := range resources[0].GetAttributes() {
				got[kv.GetKey()] = kv.GetValue().String()
			}
			for k, v := range tc.want {
				assert.Contains(t, got[k], v, k)
			}
		})
	}
}

func TestRejectedBatchIsCountedAndFlushReturnsItsError(t *testing.T) {
	for status, kind := range map[int]string{http.StatusBadRequest: "rejected", http.StatusRequestEntityTooLarge: "too_large"} {
		t.Run(kind, func(t *testing.T) {
			recv := newOTLPReceiver(t, status)
			var logs bytes.Buffer
			p, tp := exportPipeline(t, recv.srv.URL, &logs)
			for range 5 {
				_, s := tracing.Tracer(tp).Start(context.Background(), "s")
				s.End()
			}
			err := tp.ForceFlush(context.Background())
			var ee *tracing.ExportError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, kind, ee.Kind)
			assert.Equal(t, status, ee.Status)
			assert.Equal(t, uint64(5), p.Dropped())
			assert.Equal(t, uint64(1), p.Failed())
			assert.Zero(t, p.Exported())
			assert.Empty(t, recv.received())

			// A flush that waits for no failed export returns nil.
			recv.mu.Lock()
			recv.status = http.StatusOK
			recv.mu.Unlock()
			_, s := tracing.Tracer(tp).Start(context.Background(), "s")
			s.End()
			require.NoError(t, tp.ForceFlush(context.Background()))
			assert.Equal(t, uint64(1), p.Exported())
			assert.Equal(t, uint64(5), p.Dropped())
		})
	}
}

func TestFlushReturnsTheErrorOfTheExportItWaitedFor(t *testing.T) {
	recv := newOTLPReceiver(t, http.StatusUnauthorized)
	p, tp := exportPipeline(t, recv.srv.URL, io.Discard)
	for range 6 {
		_, s := tracing.Tracer(tp).Start(context.Background(), "s")
		s.End()
	}
	err := tp.ForceFlush(context.Background())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "unauthorized", ee.Kind)
	assert.Equal(t, uint64(1), p.Failed())
	assert.Equal(t, uint64(6), p.Dropped(), "every span of a failed export is lost")
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestHugeSuccessBodyIsNotRead(t *testing.T) {
	const size = 64 << 20
	recv := newOTLPReceiver(t, http.StatusOK)
	recv.answer = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Header().Set("Content-Length", "67108864")
		w.WriteHeader(http.StatusOK)
		// Stops with an error once the client closes the connection.
		_, _ = io.Copy(w, io.LimitReader(zeros{}, size))
	}
	var logs bytes.Buffer
	p, tp := exportPipeline(t, recv.srv.URL, &logs)
	for range 10 {
		_, s := tracing.Tracer(tp).Start(context.Background(), "s")
		s.End()
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	require.NoError(t, tp.ForceFlush(context.Background()))
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "bytes allocated during the flush")
	assert.Equal(t, uint64(10), p.Exported())
	assert.Zero(t, p.Failed()+p.Dropped())
	assert.Empty(t, logs.String())
}

func TestSuccessIsASuccessWhateverItsBody(t *testing.T) {
	for name, answer := range map[string]struct{ contentType, body string }{
		"json":         {"application/json", `{"ok":true}`},
		"bad protobuf": {"application/x-protobuf", "\xff\xff\xff not protobuf"},
		"no type":      {"", "accepted"},
		"partial json": {"application/json", `{"partialSuccess":`},
		"empty":        {"application/x-protobuf", ""},
	} {
		t.Run(name, func(t *testing.T) {
			recv := newOTLPReceiver(t, http.StatusOK)
			recv.answer = func(w http.ResponseWriter) {
				if answer.contentType != "" {
					w.Header().Set("Content-Type", answer.contentType)
				}
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, answer.body)
			}
			var logs bytes.Buffer
			p, tp := exportPipeline(t, recv.srv.URL, &logs)
			_, s := tracing.Tracer(tp).Start(context.Background(), "s")
			s.End()
			require.NoError(t, tp.ForceFlush(context.Background()))
			assert.Equal(t, uint64(1), p.Exported())
			assert.Zero(t, p.Failed())
			assert.NoError(t, p.LastError())
			assert.Empty(t, logs.String(), "nothing is logged as failed")
		})
	}
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestExportProblemsAreLoggedAgainWhileTheyRecur(t *testing.T) {
	var logs bytes.Buffer
	exp := newChanExporter()
	cfg := testConfig(config.ExportImmediate)
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithFilter(tracing.ExportAll),
		tracing.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	tracing.SetClock(p, clock.Now)
	tp := provider(cfg, p)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	fail := func(kind string, n int) {
		exp.mu.Lock()
		exp.err = &tracing.ExportError{Kind: kind, Hint: "problem " + kind, Err: errors.New(kind)}
		exp.mu.Unlock()
		for range n {
			_, s := tracing.Tracer(tp).Start(context.Background(), "s")
			s.End()
		}
		exp.count()
	}
	warnings := func() []string {
		var out []string
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "level=WARN") {
				out = append(out, line)
			}
		}
		logs.Reset()
		return out
	}

	fail("unauthorized", 3)
	fail("server", 1) // another kind has a limit of its own
	w := warnings()
	require.Len(t, w, 2)
	assert.Contains(t, w[0], "problem unauthorized")
	assert.Contains(t, w[0], "occurrences=1")
	assert.Contains(t, w[1], "problem server")

	clock.Advance(30 * time.Second)
	fail("unauthorized", 2)
	assert.Empty(t, warnings(), "at most one line a minute per kind")

	clock.Advance(31 * time.Second)
	fail("unauthorized", 1)
	w = warnings()
	require.Len(t, w, 1, "an outage that goes on is logged again")
	assert.Contains(t, w[0], "problem unauthorized")
	assert.Contains(t, w[0], "occurrences=5", "3-1 after the first line, 2, and this one")

	clock.Advance(time.Hour)
	fail("unauthorized", 1)
	w = warnings()
	require.Len(t, w, 1, "a problem that comes back later is logged")
	assert.Contains(t, w[0], "occurrences=1")
}
