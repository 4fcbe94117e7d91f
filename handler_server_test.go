package langfuse_test

import (
	"context"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// serveBound runs one request through h with the request's context bound to
// ctx's client.
func serveBound(ctx context.Context, h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r.WithContext(ctx))
	return w
}

func TestObserveHandlerIsAServerSpan(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	serveBound(ctx, langfuse.ObserveHandler("", mux), httptest.NewRequest(http.MethodGet, "/items/7?x=1", nil))

	o, ok := rec.Find("GET /items/{id}")
	require.True(t, ok)
	assert.Equal(t, trace.SpanKindServer, o.Span.SpanKind())
	for key, want := range map[string]string{
		"http.request.method":       "GET",
		"url.path":                  "/items/7",
		"http.route":                "/items/{id}",
		"http.response.status_code": "202",
	} {
		assert.Equal(t, want, o.Attr(key), key)
	}
	assert.NotContains(t, o.Attributes, semconv.ObservationOutput, "the status code is not the output")
}

func TestObserveHandlerExplicitOutputWins(t *testing.T) {
	for name, opts := range map[string][]observe.Option{
		"default":            nil,
		"CaptureOutput(off)": {observe.CaptureOutput(false)},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, rec := langfusetest.New(t)
			h := langfuse.ObserveHandler("chat", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				observe.Current(r.Context()).Update(observe.WithOutput("the answer"))
				observe.SetCurrentTraceIO(r.Context(), "the question", "the answer")
				w.WriteHeader(http.StatusOK)
			}), opts...)
			serveBound(ctx, h, httptest.NewRequest(http.MethodPost, "/chat", nil))

			o, ok := rec.Find("chat")
			require.True(t, ok)
			assert.Equal(t, "the answer", o.Output, "an explicit output is never overwritten")
			assert.Equal(t, "the answer", o.Attr(semconv.TraceOutput))
			assert.Equal(t, "the question", o.Attr(semconv.TraceInput))
			assert.Equal(t, "200", o.Attr("http.response.status_code"))
		})
	}
}

func TestObserveHandlerTraceIDHeader(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	h := langfuse.ObserveHandler("req", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		observe.TraceIDHeader("X-Request-ID"))

	withID := httptest.NewRequest(http.MethodGet, "/", nil)
	withID.Header.Set("X-Request-ID", "req-42")
	serveBound(ctx, h, withID)
	o := rec.Observations()
	require.Len(t, o, 1)
	assert.Equal(t, observe.CreateTraceID("req-42"), o[0].TraceID, "derived from the header")
	assert.Equal(t, "true", o[0].Attr(semconv.AsRoot), "the root of its trace")

	joined := httptest.NewRequest(http.MethodGet, "/", nil)
	joined.Header.Set("X-Request-ID", "req-42")
	joined.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	serveBound(ctx, h, joined)
	require.Len(t, rec.Observations(), 2)
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", rec.Observations()[1].TraceID, "an incoming trace wins")

	serveBound(ctx, h, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Len(t, rec.Observations(), 3)
	assert.NotEqual(t, observe.CreateTraceID(""), rec.Observations()[2].TraceID)
	assert.NotEqual(t, o[0].TraceID, rec.Observations()[2].TraceID, "no header: a trace id of its own")
}

func TestObserveHandlerInvalidUTF8Path(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	h := langfuse.ObserveHandler("", http.NotFoundHandler())
	serveBound(ctx, h, httptest.NewRequest(http.MethodGet, "/%FF%FE", nil))
	o := rec.Observations()
	require.Len(t, o, 1)
	assert.True(t, utf8.ValidString(o[0].Name), "name %q", o[0].Name)
	assert.True(t, utf8.ValidString(o[0].Attr("url.path")))
}

func TestObserveHandlerRedactsSecretQueryValues(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	h := langfuse.ObserveHandler("search", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	serveBound(ctx, h, httptest.NewRequest(http.MethodGet, "/search?q=lamps&access_token=tk-1&api_key=ak-2&page=2", nil))
	o, ok := rec.Find("search")
	require.True(t, ok)
	assert.Equal(t, `{"method":"GET","path":"/search","query":"q=lamps&access_token=[REDACTED]&api_key=[REDACTED]&page=2"}`, o.Input)
}

// TestObserveHandlerSuperfluousWriteHeaderNamesTheHandler checks that the
// server's log line about a second WriteHeader names the handler's code,
// not the writer the observation wraps around it.
func TestObserveHandlerSuperfluousWriteHeaderNamesTheHandler(t *testing.T) {
	ctx, _ := langfusetest.New(t)
	var logs lockedBuffer
	h := langfuse.ObserveHandler("twice", http.HandlerFunc(writeHeaderTwice))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(&logs, "", 0)
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	srv.Close()

	assert.Equal(t, http.StatusAccepted, resp.StatusCode, "the first status is the one sent")
	line := logs.String()
	assert.Contains(t, line, "http: superfluous response.WriteHeader call from")
	assert.Contains(t, line, "writeHeaderTwice")
	assert.Contains(t, line, "handler_server_test.go")
	assert.NotContains(t, line, "statusWriter")
}

func writeHeaderTwice(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusAccepted)
	w.WriteHeader(http.StatusInternalServerError)
}
