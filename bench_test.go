package langfuse_test

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

// The benchmarks below run each figure beside its baseline in the same
// run: a plain call, a raw OpenTelemetry span from the same pipeline
// (stamping processor, batching export processor, an exporter that
// discards), and the raw span with the go-json marshals a wrapper does.
// make bench turns their medians into ratios against the targets.

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

// benchClient sets up a default client exporting to discard and returns
// the raw tracer of an identical, separate pipeline for the baselines.
func benchClient(b *testing.B, change func(*config.Config)) trace.Tracer {
	b.Helper()
	cfg := config.Default()
	// A queue that never fills: a full queue drops spans, which is cheaper
	// than queueing them and would favour whichever side produces faster.
	cfg.MaxQueueSize = 1 << 20
	if change != nil {
		change(&cfg)
	}
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(discard{}),
		langfuse.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	tp := tracing.NewTracerProvider(cfg, tracing.NewExportProcessor(cfg, discard{}, tracing.WithLogger(slog.New(slog.DiscardHandler))))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp.Tracer(semconv.ScopeName, trace.WithInstrumentationVersion(semconv.SDKVersion))
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
func wrapOps(b *testing.B) map[string]func(context.Context) {
	tr := benchClient(b, nil)
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

func BenchmarkWrap(b *testing.B) {
	ops := wrapOps(b)
	for _, name := range []string{"plain-call", "raw-span", "observe1-capture-off", "raw-span-marshal-small",
		"observe1-capture-small", "raw-span-marshal-10KB", "observe1-capture-10KB", "start-end",
		"start-update-end", "propagate-attributes", "run-capture-small"} {
		op := ops[name]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			settle(b)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				op(ctx)
			}
		})
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
	ops := wrapOps(b)
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
