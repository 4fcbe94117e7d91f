package langfuse_test

import (
	"bufio"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// serve runs one request through h and returns the response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, r)
	return rw
}

func TestObserveHandlerRecordsRequest(t *testing.T) {
	_, rec := newClient(t)
	var inside *observe.Observation
	h := langfuse.ObserveHandler("get-item", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside = observe.Current(r.Context())
		_, _ = io.WriteString(w, "ok")
	}))

	rw := serve(h, httptest.NewRequest(http.MethodGet, "/items/7?q=x", nil))
	assert.Equal(t, http.StatusOK, rw.Code)
	assert.Equal(t, "ok", rw.Body.String())

	o := find(t, rec, "get-item")
	assert.Equal(t, "span", o.Type)
	assert.JSONEq(t, `{"method":"GET","path":"/items/7","query":"q=x"}`, o.Input)
	assert.Equal(t, "200", o.Attr(statusCodeKey))
	assert.Empty(t, o.Level)
	assert.Equal(t, codes.Unset, o.Status.Code)
	assert.Empty(t, o.ParentID, "a request without traceparent starts a trace")
	require.NotNil(t, inside)
	assert.Equal(t, o.ID, inside.ID(), "the handler's ctx carries the request's observation")
}

func TestObserveHandlerNestsWorkAndHonoursOptions(t *testing.T) {
	_, rec := newClient(t)
	step := langfuse.Observe1("step", func(_ context.Context, n int) (int, error) { return n + 1, nil })
	h := langfuse.ObserveHandler("agent-endpoint", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = step(r.Context(), 1)
		w.WriteHeader(http.StatusAccepted)
	}), observe.AsType(observe.TypeAgent), observe.CaptureInput(false), observe.WithMetadata(map[string]any{"team": "search"}))

	serve(h, httptest.NewRequest(http.MethodPost, "/run", strings.NewReader("{}")))

	o, s := find(t, rec, "agent-endpoint"), find(t, rec, "step")
	assert.Equal(t, "agent", o.Type)
	assert.NotContains(t, o.Attributes, semconv.ObservationInput)
	assert.Equal(t, "202", o.Attr(statusCodeKey))
	assert.Equal(t, "search", o.Metadata["team"].AsString())
	assert.Equal(t, o.ID, s.ParentID)
	assert.Equal(t, o.TraceID, s.TraceID)
}

func TestObserveHandlerStatus(t *testing.T) {
	tests := []struct {
		name       string
		write      func(w http.ResponseWriter)
		wantStatus string
		wantLevel  string
		wantMsg    string
	}{
		{name: "no header is 200", write: func(w http.ResponseWriter) {}, wantStatus: "200"},
		{name: "created", write: func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) }, wantStatus: "201"},
		{name: "1xx then body", write: func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusEarlyHints)
			_, _ = io.WriteString(w, "x")
		}, wantStatus: "200"},
		{name: "second WriteHeader ignored", write: func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusTeapot)
			w.WriteHeader(http.StatusInternalServerError)
		}, wantStatus: "418"},
		{name: "not found is not an error", write: func(w http.ResponseWriter) { http.NotFound(w, nil) }, wantStatus: "404"},
		{name: "unauthorized is not an error", write: func(w http.ResponseWriter) { w.WriteHeader(http.StatusUnauthorized) }, wantStatus: "401"},
		{name: "500", write: func(w http.ResponseWriter) { http.Error(w, "boom", http.StatusInternalServerError) },
			wantStatus: "500", wantLevel: "ERROR", wantMsg: "HTTP 500 Internal Server Error"},
		{name: "503", write: func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) },
			wantStatus: "503", wantLevel: "ERROR", wantMsg: "HTTP 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t)
			h := langfuse.ObserveHandler("h", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.write(w) }))
			serve(h, httptest.NewRequest(http.MethodGet, "/", nil))
			o := find(t, rec, "h")
			assert.Equal(t, tt.wantStatus, o.Attr(statusCodeKey))
			assert.NotContains(t, o.Attributes, semconv.ObservationOutput, "the status is no output")
			assert.Equal(t, tt.wantLevel, o.Level)
			assert.Equal(t, tt.wantMsg, o.StatusMessage)
			if tt.wantLevel == "ERROR" {
				assert.True(t, o.Failed())
				assert.Equal(t, tt.wantMsg, o.Status.Description)
				assert.Empty(t, o.Events, "a status code is not an exception")
			} else {
				assert.Equal(t, codes.Unset, o.Status.Code)
			}
		})
	}
}

func TestObserveHandlerPanicIsRecordedAndRaisedUnchanged(t *testing.T) {
	for _, pv := range []any{&panicValue{code: 3}, http.ErrAbortHandler} {
		_, rec := newClient(t)
		h := langfuse.ObserveHandler("explodes", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			panic(pv)
		}))
		var got any
		func() {
			defer func() { got = recover() }()
			serve(h, httptest.NewRequest(http.MethodGet, "/", nil))
		}()
		assert.Same(t, pv, got, "the panic goes on with the original value")
		o := find(t, rec, "explodes")
		assert.True(t, o.Failed())
		assert.True(t, strings.HasPrefix(o.StatusMessage, "panic: "), o.StatusMessage)
		assert.NotContains(t, o.Attributes, semconv.ObservationOutput)
	}
}

func TestObserveHandlerPanicReachesServer(t *testing.T) {
	_, rec := newClient(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("handler bug") })
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "fine") })
	var serverLog lockedBuffer
	srv := httptest.NewUnstartedServer(langfuse.ObserveHandler("", mux))
	srv.Config.ErrorLog = log.New(&serverLog, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)

	_, err := srv.Client().Get(srv.URL + "/panic")
	require.Error(t, err, "net/http recovered the panic and dropped the connection")

	res, err := srv.Client().Get(srv.URL + "/ok")
	require.NoError(t, err, "the server survives")
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	assert.Equal(t, "fine", string(body))

	o := find(t, rec, "GET /panic")
	assert.True(t, o.Failed())
	assert.Equal(t, "panic: handler bug", o.StatusMessage)
	assert.Equal(t, "200", find(t, rec, "GET /ok").Attr(statusCodeKey))
	assert.Contains(t, serverLog.String(), "handler bug", "the server logged the panic as usual")
}

func TestObserveHandlerJoinsIncomingTraceparent(t *testing.T) {
	const (
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		spanID  = "00f067aa0ba902b7"
	)
	_, rec := newClient(t)
	h := langfuse.ObserveHandler("joined", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("traceparent", "00-"+traceID+"-"+spanID+"-01")
	serve(h, r)
	o := find(t, rec, "joined")
	assert.Equal(t, traceID, o.TraceID)
	assert.Equal(t, spanID, o.ParentID)

	t.Run("unsampled caller", func(t *testing.T) {
		rec.Reset()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("traceparent", "00-"+traceID+"-"+spanID+"-00")
		serve(h, r)
		assert.Empty(t, rec.Spans(), "the caller's sampling decision is kept")
	})

	t.Run("malformed header starts a trace", func(t *testing.T) {
		rec.Reset()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("traceparent", "garbage")
		serve(h, r)
		o := find(t, rec, "joined")
		assert.Empty(t, o.ParentID)
	})

	t.Run("a span already in ctx stays the parent", func(t *testing.T) {
		rec.Reset()
		ctx, outer := observe.Start(context.Background(), "server-middleware")
		r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
		r.Header.Set("traceparent", "00-"+traceID+"-"+spanID+"-01")
		serve(h, r)
		outer.End()
		o := find(t, rec, "joined")
		assert.Equal(t, outer.ID(), o.ParentID)
		assert.Equal(t, outer.TraceID(), o.TraceID)
	})
}

func TestObserveHandlerBaggageOnlyWhenEnabled(t *testing.T) {
	_, rec := newClient(t)
	var otherMember string
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherMember = baggage.FromContext(r.Context()).Member("tenant").Value()
	})
	off := langfuse.ObserveHandler("off", inner)
	on := langfuse.ObserveHandler("on", inner, observe.ReadBaggage(true))

	for _, h := range []http.Handler{off, on} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("baggage", "langfuse_user_id=u-1,langfuse_session_id=s-1,langfuse_tags=a%2Cb")
		r.Header.Add("baggage", "langfuse_metadata_plan=pro,langfuse_trace_name=checkout,tenant=acme")
		serve(h, r)
		if h == off {
			assert.Empty(t, otherMember, "without ReadBaggage the baggage is not taken in")
		}
	}
	assert.Equal(t, "acme", otherMember, "with ReadBaggage the baggage travels on in ctx")

	o := find(t, rec, "off")
	for _, k := range []string{semconv.UserID, semconv.SessionID, semconv.TraceName, semconv.TraceTags, semconv.TraceMetadataPrefix + "plan"} {
		assert.NotContains(t, o.Attributes, k)
	}
	o = find(t, rec, "on")
	assert.Equal(t, "u-1", o.Attr(semconv.UserID))
	assert.Equal(t, "s-1", o.Attr(semconv.SessionID))
	assert.Equal(t, "checkout", o.Attr(semconv.TraceName))
	assert.Equal(t, []string{"a", "b"}, o.Attributes[semconv.TraceTags].AsStringSlice())
	assert.Equal(t, "pro", o.Attr(semconv.TraceMetadataPrefix+"plan"))
	assert.NotContains(t, o.Attributes, semconv.TraceMetadataPrefix+"tenant", "only langfuse_* members apply")
}

func TestObserveHandlerNeverRecordsHeaders(t *testing.T) {
	_, rec := newClient(t)
	h := langfuse.ObserveHandler("login", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}), observe.ReadBaggage(true))
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("password=hunter2-secret"))
	r.Header.Set("Authorization", "Bearer token-secret")
	r.Header.Set("Cookie", "session=cookie-secret")
	r.Header.Set("X-Api-Key", "key-secret")
	r.Header.Set("baggage", "langfuse_user_id=u-1")
	serve(h, r)

	o := find(t, rec, "login")
	require.NotEmpty(t, o.Input)
	for k, v := range o.Attributes {
		assert.NotContains(t, strings.ToLower(k), "authorization")
		assert.NotContains(t, strings.ToLower(k), "cookie")
		assert.NotContains(t, v.String(), "secret", "attribute %s", k)
	}
	for _, e := range o.Events {
		for _, kv := range e.Attributes {
			assert.NotContains(t, kv.Value.String(), "secret")
		}
	}
}

func TestObserveHandlerNamesAfterServeMuxPattern(t *testing.T) {
	noop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

	t.Run("registered on a mux", func(t *testing.T) {
		_, rec := newClient(t)
		mux := http.NewServeMux()
		mux.Handle("GET /items/{id}", langfuse.ObserveHandler("", noop))
		serve(mux, httptest.NewRequest(http.MethodGet, "/items/7", nil))
		o := find(t, rec, "GET /items/{id}")
		assert.JSONEq(t, `{"method":"GET","path":"/items/7"}`, o.Input)
	})

	t.Run("wrapping the mux", func(t *testing.T) {
		_, rec := newClient(t)
		mux := http.NewServeMux()
		mux.Handle("/users/{name}", noop)
		h := langfuse.ObserveHandler("", mux)
		serve(h, httptest.NewRequest(http.MethodDelete, "/users/ann", nil))
		serve(h, httptest.NewRequest(http.MethodGet, "/nowhere", nil))
		find(t, rec, "/users/{name}")
		miss := find(t, rec, "GET /nowhere")
		assert.Equal(t, "404", miss.Attr(statusCodeKey))
	})

	t.Run("a name wins", func(t *testing.T) {
		_, rec := newClient(t)
		mux := http.NewServeMux()
		mux.Handle("GET /items/{id}", langfuse.ObserveHandler("item", noop))
		serve(langfuse.ObserveHandler("api", mux), httptest.NewRequest(http.MethodGet, "/items/7", nil))
		api, item := find(t, rec, "api"), find(t, rec, "item")
		assert.Equal(t, api.ID, item.ParentID, "nested handlers nest")
	})
}

func TestObserveHandlerResponseWriter(t *testing.T) {
	_, rec := newClient(t)
	var inner http.ResponseWriter
	rw := httptest.NewRecorder()
	h := langfuse.ObserveHandler("stream", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = w
		_, isFlusher := w.(http.Flusher)
		_, isHijacker := w.(http.Hijacker)
		_, isReaderFrom := w.(io.ReaderFrom)
		assert.True(t, isFlusher && isHijacker && isReaderFrom)
		_, err := io.Copy(w, strings.NewReader("data: 1\n\n"))
		assert.NoError(t, err)
		assert.NoError(t, http.NewResponseController(w).Flush())
		_, _, err = http.NewResponseController(w).Hijack()
		assert.ErrorIs(t, err, http.ErrNotSupported, "a recorder cannot be hijacked")
	}))
	h.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "/events", nil))
	assert.True(t, rw.Flushed)
	assert.Equal(t, "data: 1\n\n", rw.Body.String())
	u, ok := inner.(interface{ Unwrap() http.ResponseWriter })
	require.True(t, ok)
	assert.Same(t, rw, u.Unwrap())
	assert.Equal(t, "200", find(t, rec, "stream").Attr(statusCodeKey))
}

func TestObserveHandlerHijack(t *testing.T) {
	_, rec := newClient(t)
	srv := httptest.NewServer(langfuse.ObserveHandler("upgrade", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if !assert.NoError(t, err) {
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		_ = brw.Flush()
	})))
	t.Cleanup(srv.Close)

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	_, _ = io.ReadAll(conn) // the handler closed the connection: it has returned

	// The observation ends when the handler returns, just after it closed
	// the connection the client reads from.
	require.Eventually(t, func() bool { _, ok := rec.Find("upgrade"); return ok }, 5*time.Second, time.Millisecond)
	o := find(t, rec, "upgrade")
	assert.NotContains(t, o.Attributes, semconv.ObservationOutput, "a hijacked connection has no status to record")
	assert.False(t, o.Failed())
}

func TestObserveHandlerDisabled(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	in := httptest.NewRequest(http.MethodGet, "/", nil)
	in.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rw := httptest.NewRecorder()
	var gotReq *http.Request
	var gotW http.ResponseWriter
	h := langfuse.ObserveHandler("off", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotReq, gotW = r, w
	}))
	h.ServeHTTP(rw, in)
	assert.Same(t, in, gotReq, "the handler gets the request as it came")
	assert.Same(t, rw, gotW)
	assert.Empty(t, rec.Spans())
}

func TestObserveHandlerDisabledDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test also runs this without -race")
	}
	newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	h := langfuse.ObserveHandler("off", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	rw, r := httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil)
	assert.Zero(t, testing.AllocsPerRun(100, func() { h.ServeHTTP(rw, r) }))
}

func TestInjectHTTP(t *testing.T) {
	_, rec := newClient(t)
	ctx, o := observe.Start(context.Background(), "caller")
	ctx = observe.PropagateAttributes(ctx, observe.Attributes{UserID: "u-1", AsBaggage: true})
	h := http.Header{}
	langfuse.InjectHTTP(ctx, h)
	o.End()

	assert.Equal(t, "00-"+o.TraceID()+"-"+o.ID()+"-01", h.Get("traceparent"))
	assert.Equal(t, "langfuse_user_id=u-1", h.Get("baggage"))
	find(t, rec, "caller")

	plain := http.Header{}
	langfuse.InjectHTTP(context.Background(), plain)
	assert.Empty(t, plain, "nothing to send")
}

// injectingTransport is what an OpenTelemetry-aware HTTP client does with
// a configured propagator: it writes the trace context and baggage of the
// request's ctx into its headers.
type injectingTransport struct{ base *http.Transport }

func (t injectingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}).
		Inject(r.Context(), propagation.HeaderCarrier(r.Header))
	return t.base.RoundTrip(r)
}

func (t injectingTransport) CloseIdleConnections() { t.base.CloseIdleConnections() }

func TestObserveHandlerAcrossTwoServices(t *testing.T) {
	_, rec := newClient(t)

	serviceB := httptest.NewServer(langfuse.ObserveHandler("service-b", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "from b")
	}), observe.ReadBaggage(true)))
	t.Cleanup(serviceB.Close)

	client := &http.Client{Transport: injectingTransport{base: &http.Transport{}}}
	t.Cleanup(client.CloseIdleConnections)
	serviceA := httptest.NewServer(langfuse.ObserveHandler("service-a", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := observe.PropagateAttributes(r.Context(), observe.Attributes{
			UserID: "u-42", SessionID: "s-7", Tags: []string{"beta"}, AsBaggage: true,
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, serviceB.URL+"/work", nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		res, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		_, _ = io.Copy(w, res.Body)
	})))
	t.Cleanup(serviceA.Close)

	res, err := serviceA.Client().Get(serviceA.URL + "/start")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.Equal(t, "from b", string(body))

	a, b := find(t, rec, "service-a"), find(t, rec, "service-b")
	assert.Equal(t, a.TraceID, b.TraceID, "one trace across both services")
	assert.Equal(t, a.ID, b.ParentID, "B's request is a child of A's")
	assert.Empty(t, a.ParentID)
	assert.Equal(t, "u-42", b.Attr(semconv.UserID))
	assert.Equal(t, "s-7", b.Attr(semconv.SessionID))
	assert.Equal(t, []string{"beta"}, b.Attributes[semconv.TraceTags].AsStringSlice())
	assert.Equal(t, "u-42", a.Attr(semconv.UserID), "A's observation was current when the attributes were set")
}

// lockedBuffer is a log destination for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// statusCodeKey is the HTTP semantic-convention attribute of the status.
const statusCodeKey = "http.response.status_code"
