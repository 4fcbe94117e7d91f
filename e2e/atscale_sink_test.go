package e2e_test

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	collectortracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse/semconv"
)

// langfuseSink stands in for Langfuse behind the gateways: it accepts
// OTLP/HTTP protobuf on Langfuse's traces path, decodes every request
// and keeps the spans by trace id. Requests that lack Langfuse's
// credentials or ingestion headers are answered 401 or 400 and noted.
type langfuseSink struct {
	// URL is Langfuse's root, as LANGFUSE_BASE_URL would name it.
	URL string

	publicKey, secretKey string
	srv                  *httptest.Server
	paused               atomic.Bool // answer 503, as a Langfuse outage would

	mu       sync.Mutex
	traces   map[string][]sinkSpan
	spans    int
	scores   []string // names of the scores received
	problems []string
}

// sinkSpan is what the tests read of one span the sink received.
type sinkSpan struct {
	TraceID, SpanID, ParentID string
	Name, Service             string
	StatusError               bool
	Attrs                     map[string]string // string and bool values, as text
}

// startSink starts a sink that accepts the key pair pk, sk, closed when
// the test ends.
func startSink(t testing.TB, pk, sk string) *langfuseSink {
	t.Helper()
	s := &langfuseSink{publicKey: pk, secretKey: sk, traces: map[string][]sinkSpan{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

func (s *langfuseSink) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.problems) < 50 {
		s.problems = append(s.problems, fmt.Sprintf(format, args...))
	}
}

func (s *langfuseSink) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/api/public/ingestion" {
		s.serveScores(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/public/otel/v1/traces" {
		s.problem("%s %s: not Langfuse's traces path", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.publicKey+":"+s.secretKey))
	if r.Header.Get("Authorization") != auth {
		s.problem("request without the gateway's credentials")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	for name, want := range map[string]string{
		"x-langfuse-public-key":        s.publicKey,
		"x-langfuse-ingestion-version": "4",
		"x-langfuse-sdk-name":          semconv.SDKName,
		"x-langfuse-sdk-version":       semconv.SDKVersion,
		"Content-Type":                 "application/x-protobuf",
	} {
		if got := r.Header.Get(name); got != want {
			s.problem("header %s is %q, want %q", name, got, want)
			http.Error(w, "bad header "+name, http.StatusBadRequest)
			return
		}
	}
	if s.paused.Load() {
		http.Error(w, "paused", http.StatusServiceUnavailable)
		return
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, 64<<20)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			s.problem("gzip: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		s.problem("read: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req collectortracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		s.problem("protobuf: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.add(&req)
	out, _ := proto.Marshal(&collectortracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (s *langfuseSink) add(req *collectortracepb.ExportTraceServiceRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		service := stringAttr(rs.GetResource().GetAttributes(), "service.name")
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				attrs := map[string]string{}
				for _, kv := range sp.GetAttributes() {
					switch v := kv.GetValue().GetValue().(type) {
					case *commonpb.AnyValue_StringValue:
						attrs[kv.GetKey()] = v.StringValue
					case *commonpb.AnyValue_BoolValue:
						attrs[kv.GetKey()] = fmt.Sprint(v.BoolValue)
					}
				}
				got := sinkSpan{
					TraceID:     hex.EncodeToString(sp.GetTraceId()),
					SpanID:      hex.EncodeToString(sp.GetSpanId()),
					ParentID:    hex.EncodeToString(sp.GetParentSpanId()),
					Name:        sp.GetName(),
					Service:     service,
					StatusError: sp.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR,
					Attrs:       attrs,
				}
				s.traces[got.TraceID] = append(s.traces[got.TraceID], got)
				s.spans++
			}
		}
	}
}

// serveScores takes a batch of scores as Langfuse's ingestion API does,
// with the same credentials.
func (s *langfuseSink) serveScores(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.publicKey || pass != s.secretKey {
		s.problem("scores without the project's credentials")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var req struct {
		Batch []struct {
			ID   string `json:"id"`
			Body struct {
				Name string `json:"name"`
			} `json:"body"`
		} `json:"batch"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<20)).Decode(&req); err != nil {
		s.problem("scores: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	type success struct {
		ID     string `json:"id"`
		Status int    `json:"status"`
	}
	reply := struct {
		Successes []success `json:"successes"`
		Errors    []success `json:"errors"`
	}{Errors: []success{}}
	s.mu.Lock()
	for _, ev := range req.Batch {
		s.scores = append(s.scores, ev.Body.Name)
		reply.Successes = append(reply.Successes, success{ID: ev.ID, Status: http.StatusCreated})
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusMultiStatus)
	_ = json.NewEncoder(w).Encode(reply)
}

// scoreNames returns the names of the scores received so far.
func (s *langfuseSink) scoreNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.scores...)
}

func stringAttr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.GetKey() == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

// snapshot returns a copy of the traces received so far, the number of
// spans, and the problems noted.
func (s *langfuseSink) snapshot() (map[string][]sinkSpan, int, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	traces := make(map[string][]sinkSpan, len(s.traces))
	for id, spans := range s.traces {
		traces[id] = append([]sinkSpan(nil), spans...)
	}
	return traces, s.spans, append([]string(nil), s.problems...)
}

// spanCount returns how many spans the sink has received.
func (s *langfuseSink) spanCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spans
}
