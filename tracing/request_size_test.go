package tracing_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

// requestLimit is the most bytes a request body may have, as the README
// documents it.
const requestLimit = 16 << 20

// sizeServer keeps, for every request, the size of its body as sent and
// the names of its spans.
type sizeServer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []sizedRequest
}

type sizedRequest struct {
	wire  int
	names []string
}

func newSizeServer(t *testing.T) *sizeServer {
	t.Helper()
	s := &sizeServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wire, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		body := wire
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(wire))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
		}
		var msg coltrace.ExportTraceServiceRequest
		if proto.Unmarshal(body, &msg) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		req := sizedRequest{wire: len(wire)}
		for _, rs := range msg.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, sp := range ss.GetSpans() {
					req.names = append(req.names, sp.GetName())
				}
			}
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sizeServer) requests() []sizedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sizedRequest(nil), s.reqs...)
}

// sizePipeline is exportPipeline with gzip as asked and requests of at
// most limit bytes.
func sizePipeline(t *testing.T, base string, gz bool, limit int, logs io.Writer) (*tracing.ExportProcessor, trace.Tracer, func() error) {
	t.Helper()
	cfg := exporterConfig(base)
	cfg.ExportMode = config.ExportBatched
	cfg.FlushAt = 100
	cfg.FlushInterval = time.Hour
	cfg.Gzip = gz
	exp, err := tracing.NewExporter(context.Background(), cfg)
	require.NoError(t, err)
	tracing.SetRequestLimit(exp, limit)
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithFilter(tracing.ExportAll),
		tracing.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	tp := tracing.NewTracerProvider(cfg, p)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return p, tracing.Tracer(tp), func() error { return tp.ForceFlush(context.Background()) }
}

// filler is n bytes that gzip cannot shrink much, so that the limit is
// tested on the wire too.
func filler(n int) string {
	var b strings.Builder
	b.Grow(n)
	x := uint32(2463534242)
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(byte('!' + x%90))
	}
	return b.String()
}

// TestBatchOverTheLimitIsSplit checks that a batch whose request would
// pass the limit goes in several requests, each under it, and that every
// span is delivered once. The limit is lowered to 64 KiB, so that the
// test is quick under -race: the requests are planned the same way at
// any limit.
func TestBatchOverTheLimitIsSplit(t *testing.T) {
	const limit = 64 << 10
	big := filler(12 << 10)
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			srv := newSizeServer(t)
			var logs bytes.Buffer
			p, tr, flush := sizePipeline(t, srv.srv.URL, gz, limit, &logs)
			want := map[string]bool{}
			for i := range 12 {
				name := fmt.Sprintf("s%d", i)
				want[name] = true
				_, s := tr.Start(context.Background(), name, trace.WithAttributes(attribute.String("big", big)))
				s.End()
			}
			require.NoError(t, flush())
			reqs := srv.requests()
			require.Greater(t, len(reqs), 2, "144 KiB in requests of at most 64")
			got := map[string]bool{}
			for _, r := range reqs {
				assert.LessOrEqual(t, r.wire, limit)
				for _, n := range r.names {
					assert.False(t, got[n], "span %s sent twice", n)
					got[n] = true
				}
			}
			assert.Equal(t, want, got)
			assert.Equal(t, uint64(12), p.Exported())
			assert.Zero(t, p.Dropped()+p.Failed())
			assert.Empty(t, logs.String())
		})
	}
}

// TestSpanOverTheLimitIsDroppedAndCounted checks that a span too large
// for any request under the documented limit is not sent, counts as
// dropped, and is logged with the reason, while the spans beside it are
// delivered.
func TestSpanOverTheLimitIsDroppedAndCounted(t *testing.T) {
	huge := strings.Repeat("x", requestLimit)
	for _, mode := range []config.ExportMode{config.ExportBatched, config.ExportImmediate} {
		t.Run(string(mode), func(t *testing.T) {
			srv := newSizeServer(t)
			var logs bytes.Buffer
			cfg := exporterConfig(srv.srv.URL)
			cfg.ExportMode = mode
			cfg.FlushInterval = time.Hour
			exp, err := tracing.NewExporter(context.Background(), cfg)
			require.NoError(t, err)
			p := tracing.NewExportProcessor(cfg, exp, tracing.WithFilter(tracing.ExportAll),
				tracing.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			tp := tracing.NewTracerProvider(cfg, p)
			t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			tr := tracing.Tracer(tp)
			for _, name := range []string{"a", "huge", "b"} {
				_, s := tr.Start(context.Background(), name)
				if name == "huge" {
					s.SetAttributes(attribute.String("big", huge))
				}
				s.End()
			}
			err = tp.ForceFlush(context.Background())
			var names []string
			for _, r := range srv.requests() {
				assert.LessOrEqual(t, r.wire, requestLimit)
				names = append(names, r.names...)
			}
			assert.ElementsMatch(t, []string{"a", "b"}, names)
			assert.Equal(t, uint64(2), p.Exported())
			assert.Equal(t, uint64(1), p.Dropped())
			assert.Zero(t, p.Failed(), "no request failed")
			assert.Contains(t, logs.String(), "16 MiB")
			var ee *tracing.ExportError
			require.ErrorAs(t, p.LastError(), &ee)
			assert.Equal(t, "too_large", ee.Kind)
			if mode == config.ExportBatched {
				require.ErrorAs(t, err, &ee, "Flush tells of the loss")
				assert.Equal(t, int64(1), ee.Rejected)
			}
		})
	}
}
