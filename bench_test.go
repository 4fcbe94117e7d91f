package langfuse_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// The benchmarks below run each figure beside its baseline in the same
// run: a plain call, a raw OpenTelemetry span of the same provider
// (stamping processor, batching export processor, exporter), and the raw
// span with the go-json marshals a wrapper does. Each is measured with an
// exporter of the program's own (WithSpanExporter), and the per-call
// ratios with the Langfuse exporter sending to a loopback server too
// (BenchmarkWrapRatio). Besides ns/op they report cpu-ns/op, the CPU
// time of the calling goroutine alone, which other work on the machine
// and the export goroutine disturb far less. make bench turns their
// medians into ratios against the targets.

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

type benchQuery struct {
	Question string   `json:"question"`
	TopK     int      `json:"top_k"`
	Filters  []string `json:"filters"`
}

type benchAnswer struct {
	Text   string  `json:"text"`
	Score  float64 `json:"score"`
	Source string  `json:"source"`
}

type benchPayload struct {
	Chunks []string `json:"chunks"`
}

var (
	smallQuery  = benchQuery{Question: "What is Langfuse?", TopK: 3, Filters: []string{"docs"}}
	smallAnswer = benchAnswer{Text: "An LLM engineering platform.", Score: 0.92, Source: "doc-1"}
	bigPayload  = func() benchPayload {
		p := benchPayload{}
		for i := 0; i < 100; i++ {
			p.Chunks = append(p.Chunks, strings.Repeat("x", 95))
		}
		return p // about 10 KB of JSON
	}()
)

// benchClient sets up a default client exporting to discard, its own
// exporter, and returns the raw tracer of its provider for the baselines:
// scope langfuse-sdk, so that the export filter keeps its spans as it
// keeps the wrappers'.
func benchClient(b *testing.B, change func(*config.Config)) trace.TracerProvider {
	b.Helper()
	cfg := benchConfig()
	if change != nil {
		change(&cfg)
	}
	return startBenchClient(b, cfg, langfuse.WithSpanExporter(discard{}))
}

// benchLangfuseClient is benchClient with the Langfuse exporter, which
// sends to an OTLP/HTTP server on loopback that reads and discards each
// request.
func benchLangfuseClient(b *testing.B) trace.TracerProvider {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(srv.Close)
	cfg := benchConfig()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-bench", "sk-lf-bench", srv.URL
	return startBenchClient(b, cfg)
}

func benchConfig() config.Config {
	cfg := config.Default()
	// A queue that never fills: a full queue drops spans, which is cheaper
	// than queueing them and would favour whichever side produces faster.
	cfg.MaxQueueSize = config.MaxQueueSize
	return cfg
}

func startBenchClient(b *testing.B, cfg config.Config, opts ...langfuse.Option) trace.TracerProvider {
	b.Helper()
	c, err := langfuse.New(append([]langfuse.Option{langfuse.WithConfig(cfg),
		langfuse.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = c.Shutdown(context.Background())
		if d := c.Stats().Dropped; d != 0 {
			b.Errorf("%d spans dropped: the figures would be of a cheaper path", d)
		}
	})
	return c.TracerProvider()
}

func rawMarshal(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

//go:noinline
func plainSearch(_ context.Context, q benchQuery) (benchAnswer, error) {
	return smallAnswer, nil
}

//go:noinline
func plainBig(_ context.Context, p benchPayload) (benchPayload, error) { return p, nil }

// wrapOps are the operations BenchmarkWrap and BenchmarkWrapParallel
// time, figures and baselines alike, made once per benchmark.
func wrapOps(tp trace.TracerProvider) map[string]func(context.Context) {
	// The raw spans of the baselines have the scope of the wrappers'
	// spans, so that the export filter keeps them as it keeps those, and
	// they cost what the wrappers' spans cost in the SDK and the export
	// processor; other is a tracer of another scope, whose spans the
	// filter drops as they end.
	tr := tp.Tracer(semconv.ScopeName, trace.WithInstrumentationVersion(semconv.SDKVersion))
	other := tp.Tracer("raw")
	search := langfuse.Observe1("search", plainSearch)
	searchOff := langfuse.Observe1("search", plainSearch, observe.CaptureInput(false), observe.CaptureOutput(false))
	big := langfuse.Observe1("big", plainBig)
	meta := observe.WithMetadata(map[string]any{"step": 1, "tool": "search"})
	attrs := observe.Attributes{UserID: "user-1", SessionID: "session-1", Tags: []string{"a"}}
	return map[string]func(context.Context){
		"plain-call": func(ctx context.Context) { _, _ = plainSearch(ctx, smallQuery) },
		"raw-span": func(ctx context.Context) {
			c, s := tr.Start(ctx, "search")
			_, _ = plainSearch(c, smallQuery)
			s.End()
		},
		"raw-span-unexported": func(ctx context.Context) {
			c, s := other.Start(ctx, "search")
			_, _ = plainSearch(c, smallQuery)
			s.End()
		},
		"raw-span-unexported-marshal-small": func(ctx context.Context) {
			c, s := other.Start(ctx, "search")
			out, _ := plainSearch(c, smallQuery)
			s.SetAttributes(attribute.String("in", rawMarshal(smallQuery)), attribute.String("out", rawMarshal(out)))
			s.End()
		},
		"raw-span-alloc-record": func(ctx context.Context) {
			c, s := tr.Start(ctx, "search")
			recordSink = &recordSized{parent: c, span: s}
			_, _ = plainSearch(recordSink.parent, smallQuery)
			s.End()
		},
		"observe1-capture-off": func(ctx context.Context) { _, _ = searchOff(ctx, smallQuery) },
		"raw-span-marshal-small": func(ctx context.Context) {
			c, s := tr.Start(ctx, "search")
			out, _ := plainSearch(c, smallQuery)
			s.SetAttributes(attribute.String("in", rawMarshal(smallQuery)), attribute.String("out", rawMarshal(out)))
			s.End()
		},
		"observe1-capture-small": func(ctx context.Context) { _, _ = search(ctx, smallQuery) },
		"raw-span-marshal-10KB": func(ctx context.Context) {
			c, s := tr.Start(ctx, "big")
			out, _ := plainBig(c, bigPayload)
			s.SetAttributes(attribute.String("in", rawMarshal(bigPayload)), attribute.String("out", rawMarshal(out)))
			s.End()
		},
		"observe1-capture-10KB": func(ctx context.Context) { _, _ = big(ctx, bigPayload) },
		"start-end": func(ctx context.Context) {
			_, o := observe.Start(ctx, "manual")
			o.End()
		},
		"start-update-end": func(ctx context.Context) {
			_, o := observe.Start(ctx, "manual")
			o.Update(meta)
			o.End()
		},
		"propagate-attributes": func(ctx context.Context) { _ = observe.PropagateAttributes(ctx, attrs) },
		"run-capture-small": func(ctx context.Context) {
			_, _ = langfuse.Run(ctx, "inline", func(ctx context.Context) (benchAnswer, error) { return plainSearch(ctx, smallQuery) },
				observe.WithInput(&smallQuery))
		},
	}
}

// settle starts each figure and each baseline from the same heap: the
// spans the previous one left queued for export are collected first, so
// that neither pays for the other's garbage.
func settle(b *testing.B) {
	b.Helper()
	runtime.GC()
	b.ResetTimer()
}

// runOps runs each op of names as a sub-benchmark, on a goroutine locked
// to its thread so that cpu-ns/op is the CPU time of the calls alone.
func runOps(b *testing.B, ops map[string]func(context.Context), names []string) {
	for _, name := range names {
		op := ops[name]
		b.Run(name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ctx := context.Background()
			settle(b)
			b.ReportAllocs()
			cpu0, ok0 := threadCPU()
			for i := 0; i < b.N; i++ {
				op(ctx)
			}
			cpu1, ok1 := threadCPU()
			if ok0 && ok1 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// BenchmarkWrap times the wrappers and the manual API with an exporter of
// the program's own (WithSpanExporter).
func BenchmarkWrap(b *testing.B) {
	runOps(b, wrapOps(benchClient(b, nil)), []string{"plain-call", "raw-span", "observe1-capture-off", "raw-span-marshal-small",
		"observe1-capture-small", "raw-span-marshal-10KB", "observe1-capture-10KB", "start-end",
		"start-update-end", "propagate-attributes", "run-capture-small"})
}

// recordSized is an object of the size of a record, with as many
// pointers: a raw span that allocates one is the least an observation
// with a record can cost (a wrapped call that captures its arguments, a
// Start and End). A wrapped call that captures none keeps no record.
type recordSized struct {
	parent context.Context
	span   trace.Span
	_      [4]*int // the client, attribute space, argument names, error state
	_      uint64  // state bits, type and capture switches
}

var recordSink *recordSized

// ratioPairs are the figures whose cost per call has a target as a ratio
// to a baseline: a wrapper beside a raw span of the same provider, with
// capture off and on. The raw span is either exported as the wrapper's
// is, so that the ratio is what the wrapper adds, or of another scope,
// which the export filter drops as it ends, so that the ratio counts the
// export's work on the caller's goroutine as the wrapper's too.
var ratioPairs = []struct{ name, figure, baseline string }{
	{"capture-off", "observe1-capture-off", "raw-span"},
	{"capture-small", "observe1-capture-small", "raw-span-marshal-small"},
	{"capture-off-vs-unexported", "observe1-capture-off", "raw-span-unexported"},
	{"capture-small-vs-unexported", "observe1-capture-small", "raw-span-unexported-marshal-small"},
	{"record-floor", "raw-span-alloc-record", "raw-span"},
	// The raw span against itself: what the harness adds to every ratio,
	// which should be nothing.
	{"self", "raw-span", "raw-span"},
}

// BenchmarkWrapRatio runs each figure of ratioPairs and its baseline in
// turns of pairChunk calls, on one goroutine locked to its thread, and
// reports the CPU time per call of each (cpu-ns/op, base-cpu-ns/op) and
// their ratio: a burst of other work on a shared machine, or a garbage
// collection, falls on both alike, and a coin decides which side of a
// turn goes first. The pair "self" times the raw span against itself,
// which shows what the harness adds to every ratio. "own" is an exporter of the program's
// own (WithSpanExporter), "langfuse" the Langfuse exporter.
func BenchmarkWrapRatio(b *testing.B) {
	for _, exp := range []struct {
		name   string
		client func(*testing.B) trace.TracerProvider
	}{
		{"own", func(b *testing.B) trace.TracerProvider { return benchClient(b, nil) }},
		{"langfuse", benchLangfuseClient},
	} {
		for _, p := range ratioPairs {
			b.Run(exp.name+"/"+p.name, func(b *testing.B) {
				ops := wrapOps(exp.client(b))
				runPair(b, ops[p.figure], ops[p.baseline])
			})
		}
	}
}

// pairChunk is how many calls of one side run before the other's turn.
const pairChunk = 128

func runPair(b *testing.B, figure, baseline func(context.Context)) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx := context.Background()
	var cpu [2]time.Duration
	var wall [2]time.Duration
	cpuOK := true
	coin := rand.New(rand.NewPCG(1, 2))
	settle(b)
	for done := 0; done < b.N; {
		n := min(pairChunk, b.N-done)
		// A coin says which side goes first. Whatever comes at a fixed
		// count of spans (the export of a full batch on the other core)
		// or follows one side (caches filled with its code) then falls on
		// both alike; a fixed order, even alternating, lets it fall on
		// one, and a side measured against itself then shows 1.03-1.06.
		order := [2]int{0, 1}
		if coin.Uint64()&1 == 1 {
			order = [2]int{1, 0}
		}
		for _, side := range order {
			op := [2]func(context.Context){figure, baseline}[side]
			t0 := time.Now()
			c0, ok0 := threadCPU()
			for i := 0; i < n; i++ {
				op(ctx)
			}
			c1, ok1 := threadCPU()
			wall[side] += time.Since(t0)
			cpu[side] += c1 - c0
			cpuOK = cpuOK && ok0 && ok1
		}
		done += n
	}
	b.ReportMetric(float64(wall[0])/float64(b.N), "fig-ns/op")
	b.ReportMetric(float64(wall[1])/float64(b.N), "base-ns/op")
	if cpuOK {
		b.ReportMetric(float64(cpu[0])/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(cpu[1])/float64(b.N), "base-cpu-ns/op")
		b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-ratio")
	}
}

//go:noinline
func plainEcho(_ context.Context, s string) (string, error) { return s, nil }

// passThrough is the least a generic wrapper can cost: a closure that
// calls the function it wraps. The disabled wrappers are measured
// against it as well as against the plain call.
func passThrough[A, R any](fn func(context.Context, A) (R, error)) func(context.Context, A) (R, error) {
	return func(ctx context.Context, a A) (R, error) { return fn(ctx, a) }
}

func BenchmarkWrapDisabled(b *testing.B) {
	benchClient(b, func(c *config.Config) { c.TracingEnabled = false })
	ctx := context.Background()
	search, searchPT := langfuse.Observe1("search", plainSearch), passThrough(plainSearch)
	echo, echoPT := langfuse.Observe1("echo", plainEcho), passThrough(plainEcho)
	b.Run("start-io-end-disabled", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, o := observe.Start(ctx, "manual", observe.WithInput(&smallQuery), observe.WithOutput("done"))
			o.End()
		}
	})
	b.Run("run-disabled", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = langfuse.Run(ctx, "inline", func(ctx context.Context) (benchAnswer, error) { return plainSearch(ctx, smallQuery) })
		}
	})
	type disabledCase struct {
		name                  string
		plain, empty, wrapped func()
	}
	cases := []disabledCase{
		{"string",
			func() { _, _ = plainEcho(ctx, "q") },
			func() { _, _ = echoPT(ctx, "q") },
			func() { _, _ = echo(ctx, "q") }},
		{"struct",
			func() { _, _ = plainSearch(ctx, smallQuery) },
			func() { _, _ = searchPT(ctx, smallQuery) },
			func() { _, _ = search(ctx, smallQuery) }},
	}
	for _, c := range cases {
		for _, v := range []struct {
			kind string
			f    func()
		}{{"plain-call", c.plain}, {"pass-through", c.empty}, {"observe1-disabled", c.wrapped}} {
			b.Run(v.kind+"-"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					v.f()
				}
			})
		}
	}
}

func BenchmarkWrapParallel(b *testing.B) {
	ops := wrapOps(benchClient(b, nil))
	for _, name := range []string{"raw-span", "observe1-capture-off", "raw-span-marshal-small", "observe1-capture-small"} {
		op := ops[name]
		b.Run(name, func(b *testing.B) {
			settle(b)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					op(ctx)
				}
			})
		})
	}
}
