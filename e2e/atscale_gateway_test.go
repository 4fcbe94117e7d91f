package e2e_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	collectortracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

// singleGateway starts deploy/collector/gateway.yaml alone, as the single
// gateway, keeping none of the traces without an error (share 0), a trace
// of a second or more as slow, and deciding one second after a trace's
// first span.
func singleGateway(t *testing.T, sink *langfuseSink) *otelcolProc {
	t.Helper()
	return startOtelcol(t, "gateway", "gateway.yaml", gatewayEnv(sink, map[string]string{
		"OTELCOL_SAMPLE_PERCENT": "0",
		"OTELCOL_SLOW_MS":        "1000",
		"OTELCOL_DECISION_WAIT":  "1s",
	}))
}

// handSpan is a span the test writes by hand, as another SDK could.
type handSpan struct {
	trace, id, parent byte // one byte, repeated into the ids
	start, end        time.Duration
	errStatus         bool
	level             string
}

// otlpRequest encodes spans as one OTLP request of the langfuse-sdk scope,
// all starting from base.
func otlpRequest(base time.Time, spans ...handSpan) []byte {
	ss := &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: semconv.ScopeName}}
	for _, s := range spans {
		sp := &tracepb.Span{
			TraceId:           bytes.Repeat([]byte{s.trace}, 16),
			SpanId:            bytes.Repeat([]byte{s.id}, 8),
			Name:              "span",
			Kind:              tracepb.Span_SPAN_KIND_INTERNAL,
			StartTimeUnixNano: uint64(base.Add(s.start).UnixNano()),
			EndTimeUnixNano:   uint64(base.Add(s.end).UnixNano()),
		}
		if s.parent != 0 {
			sp.ParentSpanId = bytes.Repeat([]byte{s.parent}, 8)
		}
		if s.errStatus {
			sp.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "failed"}
		}
		if s.level != "" {
			sp.Attributes = append(sp.Attributes, &commonpb.KeyValue{
				Key: semconv.ObservationLevel, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s.level}},
			})
		}
		ss.Spans = append(ss.Spans, sp)
	}
	b, err := proto.Marshal(&collectortracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource:   &resourcepb.Resource{},
		ScopeSpans: []*tracepb.ScopeSpans{ss},
	}}})
	if err != nil {
		panic(err)
	}
	return b
}

// postOTLP sends body to the gateway's traces path with the key pair and
// returns the status.
func postOTLP(t *testing.T, gw *otelcolProc, pk, sk string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, gw.URL()+config.TracesPath, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-protobuf")
	if pk != "" {
		req.SetBasicAuth(pk, sk)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestGatewayPolicies checks each sampling policy of gateway.yaml on
// traces written by hand, with the share of other traces at 0 so that
// every decision is certain: a trace is kept for a span with OTel status
// Error, for a span with langfuse.observation.level ERROR and no status
// (as other SDKs may send), and for lasting the slow threshold; a trace
// with a WARNING or nothing is dropped. One trace comes in two requests,
// its error in the second, and is kept whole. It also checks where the
// keys live: the gateway takes spans only with the project's key pair it
// holds (another project's pair, or none, is a 401, so nothing lands in
// the wrong project) and sends them on with its own pair and Langfuse's
// headers (the sink accepts nothing else).
func TestGatewayPolicies(t *testing.T) {
	sink := startSink(t, scalePublicKey, scaleSecretKey)
	gw := singleGateway(t, sink)
	base := time.Now().Add(-time.Minute)
	const (
		statusErr, levelErr, slow, warning, plain = 1, 2, 3, 4, 5
	)
	first := otlpRequest(base,
		handSpan{trace: statusErr, id: 0x11, start: 0, end: 50 * time.Millisecond},
		handSpan{trace: levelErr, id: 0x21, end: 10 * time.Millisecond, level: semconv.LevelError},
		handSpan{trace: slow, id: 0x31, end: 1500 * time.Millisecond},
		handSpan{trace: slow, id: 0x32, parent: 0x31, start: 100 * time.Millisecond, end: 200 * time.Millisecond},
		handSpan{trace: warning, id: 0x41, end: 10 * time.Millisecond, level: semconv.LevelWarning},
		handSpan{trace: plain, id: 0x51, end: 10 * time.Millisecond},
	)
	second := otlpRequest(base,
		handSpan{trace: statusErr, id: 0x12, parent: 0x11, start: 10 * time.Millisecond, end: 20 * time.Millisecond, errStatus: true},
	)
	require.Equal(t, http.StatusOK, postOTLP(t, gw, scalePublicKey, scaleSecretKey, first))
	require.Equal(t, http.StatusOK, postOTLP(t, gw, scalePublicKey, scaleSecretKey, second))
	assert.Equal(t, http.StatusUnauthorized, postOTLP(t, gw, "pk-lf-other", "sk-lf-other", otlpRequest(base, handSpan{trace: 6, id: 0x61, errStatus: true})),
		"another project's keys")
	assert.Equal(t, http.StatusUnauthorized, postOTLP(t, gw, "", "", otlpRequest(base, handSpan{trace: 7, id: 0x71, errStatus: true})),
		"no keys")

	want := map[string][]string{} // trace id to span ids
	for trace, ids := range map[byte][]byte{statusErr: {0x11, 0x12}, levelErr: {0x21}, slow: {0x31, 0x32}} {
		for _, id := range ids {
			want[hex.EncodeToString(bytes.Repeat([]byte{trace}, 16))] = append(want[hex.EncodeToString(bytes.Repeat([]byte{trace}, 16))], hex.EncodeToString(bytes.Repeat([]byte{id}, 8)))
		}
	}
	st, ok, err := waitFor(time.Minute, nil, []*otelcolProc{gw}, func(st pipelineState) bool {
		return st.gwNew == 5 && st.gwDecided == 5 && st.gwBusy == 0 && st.gwSent == 5 && sink.spanCount() == 5
	})
	require.True(t, ok, "five traces decided, five spans sent: %v (%v)", st, err)
	assert.Equal(t, 3.0, st.gwKept, "traces kept")

	traces, _, problems := sink.snapshot()
	assert.Empty(t, problems)
	got := map[string][]string{}
	for id, spans := range traces {
		for _, s := range spans {
			got[id] = append(got[id], s.SpanID)
		}
	}
	for id := range want {
		assert.ElementsMatch(t, want[id], got[id], "trace %s", id)
	}
	assert.Len(t, got, len(want), "only the failed and the slow traces")
}

// TestLibraryThroughGateway points the library's LANGFUSE_BASE_URL at a
// single gateway, as a user would, and finds what changes. Traces: the
// gateway's receiver is on Langfuse's path, so export just works, and
// what the library stamps (environment, release, the app-root mark)
// reaches Langfuse as it left. Scores: they are not OTLP, the gateway
// cannot carry them (its receiver answers 404 for Langfuse's ingestion
// API), so with LANGFUSE_BASE_URL at the gateway they fail, counted and
// logged; TestLibraryThroughGatewayScoresDirect shows how to keep them.
func TestLibraryThroughGateway(t *testing.T) {
	sink := startSink(t, scalePublicKey, scaleSecretKey)
	gw := singleGateway(t, sink)
	setLangfuseEnv(t, map[string]string{
		"LANGFUSE_BASE_URL":            gw.URL(),
		"LANGFUSE_PUBLIC_KEY":          scalePublicKey,
		"LANGFUSE_SECRET_KEY":          scaleSecretKey,
		"LANGFUSE_TRACING_ENVIRONMENT": "e2e-gateway",
		"LANGFUSE_RELEASE":             "r-7",
	})
	var logs logRecorder
	lf := newClient(t, langfuse.WithLogger(logs.logger()))

	failedTrace := runFailingJob(t, context.Background())
	ok := langfuse.ObserveErr("fine", func(context.Context) error { return nil })
	require.NoError(t, ok(context.Background()))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	flushErr := lf.Flush(ctx)
	stats := lf.Stats()
	assert.EqualValues(t, 3, stats.Exported, "spans the gateway accepted")
	assert.Zero(t, stats.Dropped)
	assert.NotZero(t, stats.ScoresFailed, "the score went to the gateway, which cannot take it (flush: %v)", flushErr)
	assert.ErrorContains(t, stats.LastScoreError, "404")

	st, done, err := waitFor(time.Minute, nil, []*otelcolProc{gw}, func(st pipelineState) bool {
		return st.gwNew == 2 && st.gwDecided == 2 && st.gwBusy == 0 && sink.spanCount() == 2
	})
	require.True(t, done, "two traces decided, the failed one at the sink: %v (%v)", st, err)
	traces, _, problems := sink.snapshot()
	assert.Empty(t, problems)
	require.Len(t, traces, 1, "the failed trace only")
	spans := traces[failedTrace]
	require.Len(t, spans, 2, "the failed trace, whole")
	for _, s := range spans {
		assert.Equal(t, "e2e-gateway", s.Attrs[semconv.Environment], s.Name)
		assert.Equal(t, "r-7", s.Attrs[semconv.Release], s.Name)
		assert.Empty(t, s.Attrs[semconv.IsAppRoot], "%s: a trace made in one process has no app root below its root", s.Name)
		assert.Empty(t, s.Attrs[semconv.AsRoot], s.Name)
	}
	assert.Empty(t, sink.scoreNames(), "no score reached Langfuse")
}

// TestLibraryThroughGatewayScoresDirect is the way to keep scores with a
// gateway: LANGFUSE_BASE_URL stays Langfuse's, where scores go, and only
// the span exporter is pointed at the gateway, through a TracerProvider
// of the program's own (README, "Your own TracerProvider").
func TestLibraryThroughGatewayScoresDirect(t *testing.T) {
	sink := startSink(t, scalePublicKey, scaleSecretKey)
	gw := singleGateway(t, sink)
	setLangfuseEnv(t, map[string]string{
		"LANGFUSE_BASE_URL":   sink.URL,
		"LANGFUSE_PUBLIC_KEY": scalePublicKey,
		"LANGFUSE_SECRET_KEY": scaleSecretKey,
	})
	cfg, err := config.FromEnv()
	require.NoError(t, err)
	toGateway := cfg
	toGateway.BaseURL = gw.URL()
	exp, err := tracing.NewExporter(context.Background(), toGateway)
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(tracing.Sampler(cfg)),
		sdktrace.WithSpanProcessor(tracing.NewSpanProcessor(cfg)),
		sdktrace.WithSpanProcessor(tracing.NewExportProcessor(cfg, exp)),
	)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	lf := newClient(t, langfuse.WithConfig(cfg), langfuse.WithTracerProvider(tp))

	failedTrace := runFailingJob(t, lf.Context(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, lf.Flush(ctx))
	require.NoError(t, tp.ForceFlush(ctx))
	assert.EqualValues(t, 1, lf.Stats().ScoresSent)
	assert.Equal(t, []string{"quality"}, sink.scoreNames(), "the score went straight to Langfuse")

	st, done, err := waitFor(time.Minute, nil, []*otelcolProc{gw}, func(st pipelineState) bool {
		return st.gwNew == 1 && st.gwDecided == 1 && st.gwBusy == 0 && sink.spanCount() == 2
	})
	require.True(t, done, "the failed trace through the gateway: %v (%v)", st, err)
	traces := snapshotTraces(sink)
	assert.Len(t, traces[failedTrace], 2)
}

// errStep is the failure of runFailingJob.
var errStep = errors.New("step failed")

// runFailingJob records a trace of two observations, the inner one
// failing, with a score on the outer one, and returns the trace id.
func runFailingJob(t *testing.T, ctx context.Context) string {
	t.Helper()
	step := langfuse.ObserveErr("step", func(context.Context) error { return errStep })
	var traceID string
	job := langfuse.ObserveErr("job", func(ctx context.Context) error {
		traceID = observe.TraceID(ctx)
		_ = step(ctx) // handled: the job goes on
		return observe.Score(ctx, "quality", 0.5)
	})
	require.NoError(t, job(ctx))
	require.Regexp(t, traceIDPattern, traceID)
	return traceID
}
