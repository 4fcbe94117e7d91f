package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/semconv"
)

const consoleTestTrace = "115ae872eb1d3e23f9de03f7ab344193"

var consoleT0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// consoleStub returns a finished langfuse-sdk span of trace consoleTestTrace
// with span id id, parent id parent (0 for none), starting at ms
// milliseconds and lasting one.
func consoleStub(id, parent byte, name string, ms int, kv ...attribute.KeyValue) tracetest.SpanStub {
	tid, _ := trace.TraceIDFromHex(consoleTestTrace)
	sc := func(id byte) trace.SpanContext {
		return trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: tid, SpanID: trace.SpanID{7: id}, TraceFlags: trace.FlagsSampled,
		})
	}
	s := tracetest.SpanStub{
		Name:        name,
		SpanContext: sc(id),
		StartTime:   consoleT0.Add(time.Duration(ms) * time.Millisecond),
		EndTime:     consoleT0.Add(time.Duration(ms+1) * time.Millisecond),
		Attributes:  kv,
	}
	s.InstrumentationScope.Name = semconv.ScopeName
	if parent != 0 {
		s.Parent = sc(parent)
	}
	return s
}

func consoleType(t string) attribute.KeyValue { return attribute.String(semconv.ObservationType, t) }

func consoleRemote(s tracetest.SpanStub) tracetest.SpanStub {
	s.Parent = s.Parent.WithRemote(true)
	return s
}

type consoleStep struct {
	spans    tracetest.SpanStubs // exported in one call
	shutdown bool                // Shutdown instead of ExportSpans
	want     string              // printed by this step
}

func TestConsoleExporter(t *testing.T) {
	traceAttrs := []attribute.KeyValue{
		attribute.String(semconv.TraceName, "support-chat"),
		attribute.String(semconv.UserID, "u-1"),
		attribute.String(semconv.SessionID, "s-9"),
		attribute.String(semconv.Environment, "staging"),
		attribute.StringSlice(semconv.TraceTags, []string{"beta", "vip"}),
	}
	with := func(kv ...attribute.KeyValue) []attribute.KeyValue {
		return append(append([]attribute.KeyValue{}, traceAttrs...), kv...)
	}
	root := consoleStub(1, 0, "answer-question", 0, with(consoleType("agent"),
		attribute.String(semconv.ObservationInput, "What is the capital of France?"),
		attribute.String(semconv.ObservationOutput, "Paris"))...)

	tests := []struct {
		name  string
		steps []consoleStep
	}{
		{
			name: "nested three levels",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{
					consoleStub(3, 2, "search", 2, with(consoleType("tool"))...),
					consoleStub(2, 1, "plan", 1, with(consoleType("chain"))...),
					root,
				},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193  "support-chat"  user=u-1 session=s-9 env=staging tags=[beta vip]
└─ answer-question  agent
   │  input:  "What is the capital of France?"
   │  output: "Paris"
   └─ plan  chain
      └─ search  tool
`,
			}},
		},
		{
			name: "siblings sorted by start time",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{
					consoleStub(4, 1, "third", 30),
					consoleStub(2, 1, "first", 10),
					consoleStub(5, 3, "second-child", 25),
					consoleStub(3, 1, "second", 20),
					consoleStub(1, 0, "root", 0),
				},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ root  span
   ├─ first  span
   ├─ second  span
   │  └─ second-child  span
   └─ third  span
`,
			}},
		},
		{
			name: "children in an earlier batch than the root",
			steps: []consoleStep{
				{spans: tracetest.SpanStubs{consoleStub(3, 2, "search", 2, consoleType("tool"))}},
				{spans: tracetest.SpanStubs{consoleStub(2, 1, "plan", 1, consoleType("chain"))}},
				{
					spans: tracetest.SpanStubs{consoleStub(1, 0, "root", 0, consoleType("agent"))},
					want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ root  agent
   └─ plan  chain
      └─ search  tool
`,
				},
				{shutdown: true},
			},
		},
		{
			name: "generation with model and usage",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{
					consoleStub(2, 1, "llm-call", 1, consoleType("generation"),
						attribute.String(semconv.ObservationModel, "gpt-4o"),
						attribute.String(semconv.ObservationUsageDetails, `{"input":10,"output":20}`),
						attribute.String(semconv.ObservationCostDetails, `{"total":0.01}`),
						attribute.String(semconv.ObservationPromptName, "support"),
						attribute.Int(semconv.ObservationPromptVersion, 3),
						attribute.String(semconv.ObservationInput, `[{"role":"user","content":"hi"}]`),
						attribute.String(semconv.ObservationOutput, "hello")),
					consoleStub(3, 1, "embed", 2, consoleType("embedding"),
						attribute.String(semconv.ObservationModel, "text-embedding-3-small")),
					// A model on a span that is not generation-like is not shown.
					consoleStub(1, 0, "root", 0, attribute.String(semconv.ObservationModel, "ignored")),
				},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ root  span
   ├─ llm-call  generation  model=gpt-4o usage={"input":10,"output":20} cost={"total":0.01} prompt=support@3
   │     input:  [{"role":"user","content":"hi"}]
   │     output: "hello"
   └─ embed  embedding  model=text-embedding-3-small
`,
			}},
		},
		{
			name: "levels and errors",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{
					func() tracetest.SpanStub {
						s := consoleStub(2, 1, "llm-call", 1, consoleType("generation"),
							attribute.String(semconv.ObservationLevel, semconv.LevelError),
							attribute.String(semconv.ObservationStatusMessage, "rate limited"))
						s.Status = sdktrace.Status{Code: codes.Error, Description: "rate limited"}
						return s
					}(),
					consoleStub(3, 1, "cache", 2, attribute.String(semconv.ObservationLevel, semconv.LevelWarning)),
					consoleStub(4, 1, "quiet", 3, attribute.String(semconv.ObservationLevel, semconv.LevelDefault)),
					func() tracetest.SpanStub {
						s := consoleStub(5, 1, "GET /weather", 4)
						s.InstrumentationScope.Name = "net/http"
						s.Status = sdktrace.Status{Code: codes.Error, Description: "503"}
						return s
					}(),
					consoleStub(1, 0, "root", 0),
				},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ root  span
   ├─ llm-call  generation
   │     level=ERROR "rate limited"
   ├─ cache  span
   │     level=WARNING
   ├─ quiet  span
   └─ GET /weather  net/http
         level=ERROR "503"
`,
			}},
		},
		{
			name: "remote parent",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{
					consoleStub(2, 1, "child", 1),
					consoleRemote(consoleStub(1, 9, "handler", 0, consoleType("agent"))),
				},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ handler  agent  (remote parent 0000000000000009)
   └─ child  span
`,
			}},
		},
		{
			name: "as_root",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{
					consoleStub(2, 1, "child", 1),
					consoleStub(1, 9, "explicit-trace", 0, attribute.Bool(semconv.AsRoot, true)),
				},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ explicit-trace  span
   └─ child  span
`,
			}},
		},
		{
			name: "is_app_root under a filtered parent",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{consoleStub(1, 9, "app", 0, attribute.Bool(semconv.IsAppRoot, true))},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ app  span
`,
			}},
		},
		{
			name: "late spans after the root was printed",
			steps: []consoleStep{
				{
					spans: tracetest.SpanStubs{
						consoleStub(2, 1, "reply", 1),
						// Its parent is a goroutine that has not ended.
						consoleStub(4, 3, "early-grandchild", 3),
						consoleStub(1, 0, "root", 0, traceAttrs[0]),
					},
					want: `trace 115ae872eb1d3e23f9de03f7ab344193  "support-chat"
├─ root  span
│  └─ reply  span
└─ early-grandchild  span  (parent 0000000000000003 missing)
`,
				},
				// Buffered until its parent, itself late, ends.
				{spans: tracetest.SpanStubs{consoleStub(6, 5, "late-grandchild", 6, traceAttrs[0])}},
				{
					spans: tracetest.SpanStubs{
						consoleStub(5, 1, "background", 5, traceAttrs[0]),
						consoleStub(3, 1, "goroutine", 2, traceAttrs[0]),
					},
					want: `trace 115ae872eb1d3e23f9de03f7ab344193  "support-chat"  (late: ended after the trace was printed)
└─ background  span  (parent root)
   └─ late-grandchild  span
trace 115ae872eb1d3e23f9de03f7ab344193  "support-chat"  (late: ended after the trace was printed)
└─ goroutine  span  (parent root)
`,
				},
				{shutdown: true},
			},
		},
		{
			name: "shutdown prints orphans",
			steps: []consoleStep{
				{spans: tracetest.SpanStubs{
					consoleStub(3, 2, "search", 2, traceAttrs[0]),
					consoleStub(4, 1, "fetch", 3, traceAttrs[0]),
				}},
				{
					shutdown: true,
					want: `trace 115ae872eb1d3e23f9de03f7ab344193  "support-chat"  (incomplete: root never ended)
├─ search  span  (parent 0000000000000002 missing)
└─ fetch  span  (parent 0000000000000001 missing)
`,
				},
				{spans: tracetest.SpanStubs{consoleStub(1, 0, "root", 0)}},
				{shutdown: true},
			},
		},
		{
			name: "shutdown prints late orphans",
			steps: []consoleStep{
				{
					spans: tracetest.SpanStubs{consoleStub(1, 0, "root", 0)},
					want:  "trace 115ae872eb1d3e23f9de03f7ab344193\n└─ root  span\n",
				},
				{spans: tracetest.SpanStubs{consoleStub(3, 2, "leaked", 2)}},
				{
					shutdown: true,
					want: `trace 115ae872eb1d3e23f9de03f7ab344193  (late: ended after the trace was printed, parent never ended)
└─ leaked  span  (parent 0000000000000002 missing)
`,
				},
			},
		},
		{
			name: "input, output and metadata on one short line",
			steps: []consoleStep{{
				spans: tracetest.SpanStubs{consoleStub(1, 0, "multi\nline", 0,
					attribute.String(semconv.ObservationInput, "line one\nline \"two\"\t\x00 \xff "+strings.Repeat("é", 100)),
					attribute.String(semconv.ObservationOutput, "  {\n  \"a\": 1\n}"),
					attribute.String(semconv.ObservationMetadataPrefix+"plan", "pro"),
					attribute.String(semconv.ObservationMetadataPrefix+"note", "two words"),
					attribute.Int(semconv.ObservationMetadataPrefix+"n", 3),
					attribute.StringSlice(semconv.ObservationMetadataPrefix+"list", []string{"a", "b"}),
					attribute.String(semconv.ObservationMetadataPrefix+"empty", ""),
				)},
				want: `trace 115ae872eb1d3e23f9de03f7ab344193
└─ multi\nline  span
      input:  "line one\nline \"two\"\t\x00 \xff éééééééééééééééééééééééééééééééééééééééééééééééééééééééé"…
      output: {\n  "a": 1\n}
      meta:   empty="" list="[\"a\",\"b\"]" n=3 note="two words" plan=pro
`,
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			e := &Exporter{W: &buf, NoDurations: true}
			for i, step := range tt.steps {
				buf.Reset()
				if step.shutdown {
					require.NoError(t, e.Shutdown(context.Background()))
				} else {
					require.NoError(t, e.ExportSpans(context.Background(), step.spans.Snapshots()))
				}
				assert.Equal(t, step.want, buf.String(), "step %d", i)
			}
		})
	}
}

// TestConsoleExporterProvider runs the exporter behind a real
// TracerProvider, which exports each span as it ends.
func TestConsoleExporterProvider(t *testing.T) {
	var buf bytes.Buffer
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(&Exporter{W: &buf, NoDurations: true}))
	tracer := tp.Tracer(semconv.ScopeName)

	ctx, root := tracer.Start(context.Background(), "answer-question",
		trace.WithAttributes(consoleType("agent"), attribute.String(semconv.UserID, "u-1")))
	ctx2, retrieve := tracer.Start(ctx, "retrieve", trace.WithAttributes(consoleType("retriever")))
	_, rerank := tracer.Start(ctx2, "rerank")
	rerank.End()
	retrieve.End()
	_, llm := tracer.Start(ctx, "llm-call", trace.WithAttributes(consoleType("generation"),
		attribute.String(semconv.ObservationModel, "gpt-4o")))
	llm.End()
	require.Empty(t, buf.String(), "printed before the root ended")
	root.End()
	require.NoError(t, tp.Shutdown(context.Background()))

	want := fmt.Sprintf(`trace %s  user=u-1
└─ answer-question  agent
   ├─ retrieve  retriever
   │  └─ rerank  span
   └─ llm-call  generation  model=gpt-4o
`, root.SpanContext().TraceID())
	assert.Equal(t, want, buf.String())
}

func TestConsoleExporterDurations(t *testing.T) {
	s := consoleStub(1, 0, "root", 0)
	s.EndTime = s.StartTime.Add(12345 * time.Microsecond)
	var buf bytes.Buffer
	e := (&Exporter{W: &buf})
	require.NoError(t, e.ExportSpans(context.Background(), tracetest.SpanStubs{s}.Snapshots()))
	assert.Equal(t, "trace "+consoleTestTrace+"\n└─ root  span  12.3ms\n", buf.String())

	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{350 * time.Nanosecond, "350ns"},
		{849600 * time.Nanosecond, "850µs"},
		{999999 * time.Nanosecond, "1ms"},
		{time.Millisecond, "1.0ms"},
		{12345 * time.Microsecond, "12.3ms"},
		{999960 * time.Microsecond, "1.00s"},
		{1234 * time.Millisecond, "1.23s"},
		{59999 * time.Millisecond, "1m0s"},
		{123456 * time.Millisecond, "2m3s"},
	} {
		assert.Equal(t, tt.want, consoleDuration(tt.d), "%v", tt.d)
	}
}

// TestConsoleExporterOddSpans feeds spans that no SDK would produce; the
// exporter prints what it can and does not panic.
func TestConsoleExporterOddSpans(t *testing.T) {
	cycleA := consoleStub(1, 2, "cycle-a", 1)
	cycleB := consoleStub(2, 1, "cycle-b", 2)
	self := consoleStub(3, 3, "self", 3)
	zero := tracetest.SpanStub{} // no ids, no times, no scope
	backwards := consoleStub(4, 0, "backwards", 5,
		attribute.Int(semconv.ObservationType, 7),
		attribute.Bool(semconv.ObservationInput, true),
		attribute.Int(semconv.TraceName, 42),
		attribute.String(semconv.TraceTags, "solo"),
		attribute.String(semconv.AsRoot, "yes"),
		attribute.Int64Slice(semconv.ObservationLevel, []int64{1}))
	backwards.EndTime = backwards.StartTime.Add(-time.Second)

	var buf bytes.Buffer
	e := (&Exporter{W: &buf})
	spans := append(tracetest.SpanStubs{cycleA, cycleB, self, zero}.Snapshots(), nil)
	require.NoError(t, e.ExportSpans(context.Background(), spans))
	require.NoError(t, e.ExportSpans(context.Background(), tracetest.SpanStubs{backwards}.Snapshots()))
	require.NoError(t, e.Shutdown(context.Background()))
	// backwards is a root of the trace, so the cycle is printed with it.
	assert.Equal(t, `trace 00000000000000000000000000000000
└─ (no name)  otel
trace 115ae872eb1d3e23f9de03f7ab344193  "42"  tags=[solo]
├─ backwards  7
│     level=[1]
│     input:  true
├─ cycle-a  span  1.0ms  (parent 0000000000000002 missing)
│  └─ cycle-b  span  1.0ms
└─ self  span  1.0ms  (parent 0000000000000003 missing)
`, buf.String())

	var nilExporter *Exporter
	assert.NoError(t, nilExporter.ExportSpans(context.Background(), spans))
	assert.NoError(t, nilExporter.Shutdown(context.Background()))
}

func TestConsoleExporterZeroValue(t *testing.T) {
	var e Exporter
	e.W = &bytes.Buffer{}
	require.NoError(t, e.ExportSpans(context.Background(), tracetest.SpanStubs{consoleStub(1, 0, "root", 0)}.Snapshots()))
	assert.Contains(t, e.W.(*bytes.Buffer).String(), "└─ root  span")
}

func TestConsoleExporterShutdown(t *testing.T) {
	var buf bytes.Buffer
	e := &Exporter{W: &buf, NoDurations: true}
	ctx := context.Background()
	require.NoError(t, e.ExportSpans(ctx, tracetest.SpanStubs{consoleStub(2, 1, "child", 1)}.Snapshots()))
	require.NoError(t, e.Shutdown(ctx))
	require.NotEmpty(t, buf.String())

	buf.Reset()
	assert.NoError(t, e.Shutdown(ctx), "second Shutdown")
	assert.NoError(t, e.ExportSpans(ctx, tracetest.SpanStubs{consoleStub(1, 0, "root", 0)}.Snapshots()))
	assert.Empty(t, buf.String(), "printed after Shutdown")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, (&Exporter{W: &buf}).ExportSpans(canceled, nil), context.Canceled)
}

type consoleFailingWriter struct{}

var errConsoleWrite = errors.New("disk full")

func (consoleFailingWriter) Write([]byte) (int, error) { return 0, errConsoleWrite }

func TestConsoleExporterWriteError(t *testing.T) {
	e := &Exporter{W: consoleFailingWriter{}}
	ctx := context.Background()
	assert.NoError(t, e.ExportSpans(ctx, tracetest.SpanStubs{consoleStub(2, 1, "child", 1)}.Snapshots()),
		"nothing to write yet")
	assert.ErrorIs(t, e.ExportSpans(ctx, tracetest.SpanStubs{consoleStub(1, 0, "root", 0)}.Snapshots()), errConsoleWrite)
	assert.NoError(t, e.Shutdown(ctx), "nothing left to write")
}

func TestConsoleExporterBounded(t *testing.T) {
	var buf bytes.Buffer
	e := &Exporter{W: &buf, NoDurations: true}
	e.maxBuf = 3
	ctx := context.Background()
	orphan := func(trace byte) sdktrace.ReadOnlySpan {
		s := consoleStub(2, 1, fmt.Sprintf("orphan-%d", trace), int(trace))
		tid := s.SpanContext.TraceID()
		tid[15] = trace
		s.SpanContext = s.SpanContext.WithTraceID(tid)
		return s.Snapshot()
	}

	require.NoError(t, e.ExportSpans(ctx, []sdktrace.ReadOnlySpan{orphan(1), orphan(2), orphan(3)}))
	assert.Empty(t, buf.String())
	require.NoError(t, e.ExportSpans(ctx, []sdktrace.ReadOnlySpan{orphan(4)}))
	assert.Equal(t, `trace 115ae872eb1d3e23f9de03f7ab344101  (incomplete: buffer full, printed before its root ended)
└─ orphan-1  span  (parent 0000000000000001 missing)
`, buf.String(), "the oldest trace is printed early")
	assert.Equal(t, 3, e.buffered)

	// A single trace larger than the buffer is printed in parts.
	buf.Reset()
	var big []sdktrace.ReadOnlySpan
	for i := byte(10); i < 20; i++ {
		big = append(big, consoleStub(i, 1, "big", int(i)).Snapshot())
	}
	require.NoError(t, e.ExportSpans(ctx, big))
	assert.Equal(t, 2, e.buffered)
	assert.Equal(t, 3, strings.Count(buf.String(), "orphan-"), buf.String())
	assert.Equal(t, 8, strings.Count(buf.String(), "big  span"), buf.String())
}

func TestConsoleExporterConcurrent(t *testing.T) {
	const n = 20
	var buf bytes.Buffer
	e := &Exporter{W: &buf, NoDurations: true}
	tree := func(i int) (string, []sdktrace.ReadOnlySpan, []sdktrace.ReadOnlySpan) {
		var tid trace.TraceID
		tid[0], tid[15] = 1, byte(i)
		child, root := consoleStub(2, 1, "child", 1), consoleStub(1, 0, fmt.Sprintf("root-%d", i), 0)
		child.SpanContext = child.SpanContext.WithTraceID(tid)
		child.Parent = child.Parent.WithTraceID(tid)
		root.SpanContext = root.SpanContext.WithTraceID(tid)
		want := fmt.Sprintf("trace %s\n└─ root-%d  span\n   └─ child  span\n", tid, i)
		return want, tracetest.SpanStubs{child}.Snapshots(), tracetest.SpanStubs{root}.Snapshots()
	}

	var wg sync.WaitGroup
	want := make([]string, n)
	for i := range n {
		var children, roots []sdktrace.ReadOnlySpan
		want[i], children, roots = tree(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, e.ExportSpans(context.Background(), children))
			assert.NoError(t, e.ExportSpans(context.Background(), roots))
		}()
	}
	wg.Wait()
	require.NoError(t, e.Shutdown(context.Background()))

	out := buf.String()
	for _, w := range want {
		assert.Contains(t, out, w, "each tree is printed whole")
	}
	assert.Len(t, out, len(strings.Join(want, "")))
}

func TestConsoleShowsStatusTimeToFirstTokenAndWholeUsage(t *testing.T) {
	usage := `{"input":1234567,"output":7654321,"total":8888888,"cache_read_input_tokens":1000000,"reasoning_tokens":424242}`
	handler := consoleStub(1, 0, "GET /chat", 0, attribute.Int(consoleHTTPStatus, 503))
	gen := consoleStub(2, 1, "llm", 0, consoleType("generation"),
		attribute.String(semconv.ObservationModel, "gpt-4o"),
		attribute.String(semconv.ObservationUsageDetails, usage),
		attribute.String(semconv.ObservationCompletionStartTime, `"`+consoleT0.Add(250*time.Millisecond).Format(time.RFC3339Nano)+`"`))
	gen.EndTime = gen.StartTime.Add(time.Second)
	handler.EndTime = gen.EndTime

	var buf bytes.Buffer
	e := &Exporter{W: &buf}
	require.NoError(t, e.ExportSpans(context.Background(), tracetest.SpanStubs{gen, handler}.Snapshots()))
	assert.Equal(t, "trace "+consoleTestTrace+"\n"+
		"└─ GET /chat  span  1.00s  status=503\n"+
		"   └─ llm  generation  1.00s  ttft=250.0ms  model=gpt-4o usage="+usage+"\n", buf.String())

	buf.Reset()
	quiet := &Exporter{W: &buf, NoDurations: true}
	require.NoError(t, quiet.ExportSpans(context.Background(), tracetest.SpanStubs{gen, handler}.Snapshots()))
	assert.NotContains(t, buf.String(), "ttft", "the time to first token is a duration, left out with them")
	assert.Contains(t, buf.String(), "usage="+usage)

	// A completion start that is not a time, or precedes the start, shows
	// nothing rather than a wrong figure.
	for _, v := range []string{`"yesterday"`, `"` + consoleT0.Add(-time.Second).Format(time.RFC3339Nano) + `"`} {
		assert.Empty(t, consoleTTFT(attribute.StringValue(v), consoleT0), v)
	}
}
