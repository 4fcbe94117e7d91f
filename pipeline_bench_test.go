package langfuse_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// The whole pipeline, side by side in one run: 2 goroutines each make
// pipelineCalls spans with a small input and output, the spans are
// exported to an OTLP/HTTP server on loopback, and Shutdown waits for the
// last one. "ours" is a client of New wrapping a function with Observe1;
// "raw" is the SDK's batch span processor and the stock otlptracehttp
// exporter, with the same attributes set by hand. The server decodes every
// request and counts its spans, so spans/s counts spans delivered, and
// none may be lost. make bench prints ours/raw.
const (
	pipelineWorkers = 2
	pipelineCalls   = 30_000
	pipelineSpans   = pipelineWorkers * pipelineCalls
)

// otlpSink is an OTLP/HTTP traces endpoint on 127.0.0.1 that decodes each
// request, counts its spans, keeps the first span it sees, and answers 200
// with an empty protobuf ExportTraceServiceResponse.
type otlpSink struct {
	srv      *httptest.Server
	spans    atomic.Int64
	requests atomic.Int64
	bytes    atomic.Int64
	mu       sync.Mutex
	first    *tracepb.Span
}

func newOTLPSink(tb testing.TB) *otlpSink {
	tb.Helper()
	s := &otlpSink{}
	empty, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	// Request bodies are read into reused buffers, so that the server
	// adds as little garbage as it can to the process both sides share.
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := bufs.Get().(*bytes.Buffer)
		defer bufs.Put(buf)
		buf.Reset()
		_, err := buf.ReadFrom(r.Body)
		s.requests.Add(1)
		s.bytes.Add(int64(buf.Len()))
		var req coltracepb.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(buf.Bytes(), &req)
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		n := 0
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				n += len(ss.GetSpans())
				if len(ss.GetSpans()) > 0 {
					s.mu.Lock()
					if s.first == nil {
						s.first = ss.GetSpans()[0]
					}
					s.mu.Unlock()
				}
			}
		}
		s.spans.Add(int64(n))
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(empty)
	}))
	tb.Cleanup(s.srv.Close)
	return s
}

// shape is the attribute keys of a span with the length of each string
// value, for telling that two pipelines send spans of the same size.
func shape(s *tracepb.Span) map[string]int {
	out := map[string]int{}
	for _, kv := range s.GetAttributes() {
		out[kv.GetKey()] = len(kv.GetValue().GetStringValue())
	}
	return out
}

// pipelineRun is one side of BenchmarkPipeline: start builds a pipeline
// exporting to base and returns the call each worker makes and the
// shutdown that waits for every span to be exported, with a check of its
// own counts.
type pipelineRun func(b *testing.B, base string) (call func(context.Context), shutdown func(context.Context) error, check func() error)

func pipelineConfig(base string) config.Config {
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-bench", "sk-lf-bench", base
	cfg.ExportMode = config.ExportBatched
	// The queue holds the whole burst: a full queue drops spans, which is
	// cheaper than exporting them.
	cfg.MaxQueueSize = pipelineSpans
	return cfg
}

func oursPipeline(b *testing.B, base string) (func(context.Context), func(context.Context) error, func() error) {
	c, err := langfuse.New(langfuse.WithConfig(pipelineConfig(base)), langfuse.AsDefault(false),
		langfuse.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	// A tool, so that the type is recorded, as the raw pipeline does.
	search := langfuse.Observe1("search", plainSearch, observe.AsType(observe.TypeTool))
	// The context is bound to the client once, as a service binds the
	// contexts of its workers when it starts, not once per call.
	bctx := c.Context(context.Background())
	bound := func(context.Context) { _, _ = search(bctx, smallQuery) }
	check := func() error {
		if st := c.Stats(); st.Dropped != 0 || st.Failed != 0 || st.Exported != pipelineSpans {
			return &pipelineError{exported: st.Exported, dropped: st.Dropped, err: st.LastError}
		}
		return nil
	}
	return bound, c.Shutdown, check
}

func rawPipeline(b *testing.B, base string) (func(context.Context), func(context.Context) error, func() error) {
	cfg := pipelineConfig(base)
	exp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL(cfg.TracesEndpoint()),
		otlptracehttp.WithHeaders(langfuseHeaders(cfg)))
	if err != nil {
		b.Fatal(err)
	}
	var failed atomic.Int64
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(exp,
		sdktrace.WithMaxQueueSize(cfg.MaxQueueSize),
		sdktrace.WithMaxExportBatchSize(cfg.FlushAt),
		sdktrace.WithBatchTimeout(cfg.FlushInterval))))
	tr := tp.Tracer("langfuse-sdk")
	call := func(ctx context.Context) {
		ctx, s := tr.Start(ctx, "search", sdktraceStartType)
		out, err := plainSearch(ctx, smallQuery)
		if err != nil {
			failed.Add(1)
		}
		in, _ := json.Marshal(smallQuery)
		res, _ := json.Marshal(out)
		s.SetAttributes(attribute.String("langfuse.observation.input", string(in)),
			attribute.String("langfuse.observation.output", string(res)))
		s.End()
	}
	check := func() error {
		if failed.Load() != 0 {
			return &pipelineError{}
		}
		return nil
	}
	return call, tp.Shutdown, check
}

// langfuseHeaders are the headers the Langfuse exporter sends with each
// request, so that the raw pipeline's requests are as large as ours.
func langfuseHeaders(cfg config.Config) map[string]string {
	return map[string]string{
		"Authorization":                "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.PublicKey+":"+cfg.SecretKey)),
		"x-langfuse-sdk-name":          semconv.SDKName,
		"x-langfuse-sdk-version":       semconv.SDKVersion,
		"x-langfuse-public-key":        cfg.PublicKey,
		"x-langfuse-ingestion-version": "4",
		"User-Agent":                   semconv.SDKName + "/" + semconv.SDKVersion,
	}
}

var sdktraceStartType = trace.WithAttributes(attribute.String("langfuse.observation.type", "tool"))

type pipelineError struct {
	exported, dropped uint64
	err               error
}

func (e *pipelineError) Error() string {
	msg := "spans lost: exported " + strconv.FormatUint(e.exported, 10) + ", dropped " + strconv.FormatUint(e.dropped, 10)
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	return msg
}

// BenchmarkPipeline times the whole pipeline of each side, from the first
// call to the end of Shutdown, b.N times over; every iteration builds a
// fresh pipeline, untimed. Besides spans/s it reports the process's CPU
// time per span where it can be read.
func BenchmarkPipeline(b *testing.B) {
	shapes := map[string]map[string]int{}
	for _, side := range []struct {
		name string
		run  pipelineRun
	}{{"ours", oursPipeline}, {"raw", rawPipeline}} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			var elapsed, cpu time.Duration
			var requests, sent int64
			cpuOK := true
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sink := newOTLPSink(b)
				call, shutdown, check := side.run(b, sink.srv.URL)
				ctx := context.Background()
				b.StartTimer()
				start := time.Now()
				cpu0, ok0 := processCPU()
				var wg sync.WaitGroup
				for w := 0; w < pipelineWorkers; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for j := 0; j < pipelineCalls; j++ {
							call(ctx)
						}
					}()
				}
				wg.Wait()
				if err := shutdown(ctx); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				cpu1, ok1 := processCPU()
				cpu += cpu1 - cpu0
				cpuOK = cpuOK && ok0 && ok1
				b.StopTimer()
				if err := check(); err != nil {
					b.Fatal(err)
				}
				if got := sink.spans.Load(); got != pipelineSpans {
					b.Fatalf("the server received %d spans of %d", got, pipelineSpans)
				}
				requests += sink.requests.Load()
				sent += sink.bytes.Load()
				sink.mu.Lock()
				shapes[side.name] = shape(sink.first)
				sink.mu.Unlock()
				sink.srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(pipelineSpans*b.N)/elapsed.Seconds(), "spans/s")
			// What went over the wire, so that the two sides are seen to
			// send the same: bytes per span and spans per request.
			b.ReportMetric(float64(sent)/float64(pipelineSpans*b.N), "wire-B/span")
			b.ReportMetric(float64(pipelineSpans*b.N)/float64(requests), "spans/request")
			if cpuOK {
				// CPU time of the whole process, the loopback server's
				// included, which the two sides share alike; less noisy
				// than spans/s on a machine shared with other work.
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(pipelineSpans*b.N), "cpu-ns/span")
			}
		})
	}
	if ours, raw := shapes["ours"], shapes["raw"]; ours != nil && raw != nil && !sameShape(ours, raw) {
		b.Fatalf("the two sides send different attributes: ours %v, raw %v", ours, raw)
	}
}

func sameShape(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := b[k]; !ok || v != a[k] {
			return false
		}
	}
	return true
}
