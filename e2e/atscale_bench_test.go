package e2e_test

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	collectortracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/semconv"
)

// Shape of the load BenchmarkGatewayThroughput sends: requests of 512
// spans, as the library batches them, of traces of 8 spans with the
// attributes and sizes of the library's observations.
const (
	benchSpansPerTrace   = 8
	benchTracesPerReq    = 64
	benchSpansPerRequest = benchSpansPerTrace * benchTracesPerReq
	benchSenders         = 2
)

// BenchmarkGatewayThroughput measures one sampling gateway
// (deploy/collector/gateway.yaml, as shipped: 10% of the traces without
// an error kept, one in eight traces failing) on this machine: b.N
// requests of 512 spans sent by two senders, as two application
// processes would, until every trace is decided and every kept span is
// at the sink. It reports spans/s from the first request to the last
// kept span at the sink (the one-second decision wait included), the
// gateway's CPU time per span (its own account, receiving, deciding and
// sending), and what that CPU time makes of one core. Run it with
//
//	go test -run '^$' -bench GatewayThroughput -benchtime 400x -count 6 ./e2e
func BenchmarkGatewayThroughput(b *testing.B) {
	sink := startSink(b, scalePublicKey, scaleSecretKey)
	gw := startOtelcol(b, "gateway", "gateway.yaml", gatewayEnv(sink, map[string]string{
		"OTELCOL_SAMPLE_PERCENT":   "10",
		"OTELCOL_DECISION_WAIT":    "1s",
		"OTELCOL_MEMORY_LIMIT_MIB": "2048",
		"OTELCOL_MEMORY_SPIKE_MIB": "512",
	}))
	reqs := make([][]byte, b.N)
	for i := range reqs {
		reqs[i] = benchRequest()
	}
	client := &http.Client{Timeout: time.Minute}
	before, err := gw.scrape()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan []byte)
	errs := make(chan error, benchSenders)
	for range benchSenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range next {
				req, _ := http.NewRequest(http.MethodPost, gw.URL()+config.TracesPath, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/x-protobuf")
				req.SetBasicAuth(scalePublicKey, scaleSecretKey)
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = &httpStatusError{resp.Status}
					}
				}
				if err != nil {
					errs <- err
					for range next {
					}
					return
				}
			}
		}()
	}
	for _, r := range reqs {
		next <- r
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	ingested := time.Since(start)
	traces := float64(b.N * benchTracesPerReq)
	st, ok, err := waitFor(5*time.Minute, nil, []*otelcolProc{gw}, func(st pipelineState) bool {
		return st.gwNew == traces && st.gwDecided == traces && st.gwBusy == 0 && float64(sink.spanCount()) == st.gwKept*benchSpansPerTrace
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if !ok {
		b.Fatalf("not settled: %v (sink %d spans, %v)", st, sink.spanCount(), err)
	}
	after, err := gw.scrape()
	if err != nil {
		b.Fatal(err)
	}
	spans := float64(b.N * benchSpansPerRequest)
	cpu := after.sum("otelcol_process_cpu_seconds") - before.sum("otelcol_process_cpu_seconds")
	b.ReportMetric(spans/elapsed.Seconds(), "spans/s")
	b.ReportMetric(spans/ingested.Seconds(), "ingest-spans/s")
	b.ReportMetric(cpu*1e9/spans, "cpu-ns/span")
	if cpu > 0 {
		b.ReportMetric(spans/cpu, "spans/cpu-s")
	}
	b.ReportMetric(st.gwKept/traces*100, "kept-%")
}

type httpStatusError struct{ status string }

func (e *httpStatusError) Error() string { return "gateway answered " + e.status }

// benchRequest encodes 64 fresh traces of 8 spans: a root, an agent, and
// tool calls and generations under it, with inputs and outputs of a few
// hundred bytes; the first trace's last span fails.
func benchRequest() []byte {
	str := func(k, v string) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	}
	input := `{"question":"` + strings.Repeat("what is the weather like ", 8) + `"}`
	output := `"` + strings.Repeat("sunny with a light breeze ", 8) + `"`
	now := time.Now()
	ss := &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: semconv.ScopeName, Version: semconv.SDKVersion}}
	for tr := range benchTracesPerReq {
		traceID := make([]byte, 16)
		_, _ = rand.Read(traceID)
		ids := make([][]byte, benchSpansPerTrace)
		for i := range ids {
			ids[i] = make([]byte, 8)
			_, _ = rand.Read(ids[i])
		}
		for i := range benchSpansPerTrace {
			sp := &tracepb.Span{
				TraceId:           traceID,
				SpanId:            ids[i],
				Name:              "step",
				Kind:              tracepb.Span_SPAN_KIND_INTERNAL,
				StartTimeUnixNano: uint64(now.Add(time.Duration(i) * time.Millisecond).UnixNano()),
				EndTimeUnixNano:   uint64(now.Add(time.Duration(20-i) * time.Millisecond).UnixNano()),
				Attributes: []*commonpb.KeyValue{
					str(semconv.ObservationInput, input),
					str(semconv.ObservationOutput, output),
					str(semconv.Environment, "production"),
					str(semconv.Release, "v1.2.3"),
				},
			}
			switch {
			case i == 0:
				sp.Name = "POST /chat"
			case i == 1:
				sp.Name = "agent"
				sp.ParentSpanId = ids[0]
				sp.Attributes = append(sp.Attributes, str(semconv.ObservationType, semconv.TypeAgent))
			case i%2 == 0:
				sp.Name = "llm"
				sp.ParentSpanId = ids[1]
				sp.Attributes = append(sp.Attributes, str(semconv.ObservationType, semconv.TypeGeneration),
					str(semconv.ObservationModel, "gpt-4o"), str(semconv.ObservationUsageDetails, `{"input":120,"output":48}`))
			default:
				sp.Name = "tool"
				sp.ParentSpanId = ids[1]
				sp.Attributes = append(sp.Attributes, str(semconv.ObservationType, semconv.TypeTool))
			}
			if tr%8 == 0 && i == benchSpansPerTrace-1 {
				sp.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "tool failed"}
				sp.Attributes = append(sp.Attributes, str(semconv.ObservationLevel, semconv.LevelError))
			}
			ss.Spans = append(ss.Spans, sp)
		}
	}
	body, err := proto.Marshal(&collectortracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource:   &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "bench")}},
		ScopeSpans: []*tracepb.ScopeSpans{ss},
	}}})
	if err != nil {
		panic(err)
	}
	return body
}
