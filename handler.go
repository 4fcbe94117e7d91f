package langfuse

import (
	"bufio"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"path"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/observe"
)

// ObserveHandler returns h observed: each request is one observation, of
// type span unless observe.AsType says otherwise, and h gets a request
// whose context carries it, so observe.Current(r.Context()) is the
// request's observation and wrappers called with that context nest under
// it.
//
// The observation is named name. When name is "" it is named after the
// http.ServeMux pattern that matched the request, such as
// "GET /items/{id}": a handler registered on a mux sees its pattern from
// the start, and an ObserveHandler wrapping the whole mux renames the
// observation once the mux has routed the request (the mux sets the
// pattern on the request it is given). A request that matched no pattern,
// or a router other than http.ServeMux, gives "METHOD /path".
//
// A request with a W3C traceparent header joins that trace, as a child of
// the caller's span, unless its context already holds a span (from other
// server instrumentation), which then stays the parent. The sampling
// decision of the caller is kept. The langfuse_* members of the W3C
// baggage header are applied only with observe.ReadBaggage(true).
//
// The input is the method, path and query string, never a header, so
// credentials in Authorization or Cookie are not recorded, and the values
// of query parameters that usually carry secrets (token, api_key,
// password, signature...; see capture.RedactQuery) are replaced; turn the
// input off with observe.CaptureInput(false) when the query may carry other
// secrets. The
// output is what h sets, for example with
// observe.SetCurrentTraceIO or observe.Current(r.Context()).Update(
// observe.WithOutput(answer)): Langfuse shows the root observation's output
// as the trace's, so it is left for the answer, never the status code.
//
// The span is of kind server and carries the HTTP semantic-convention
// attributes http.request.method, url.path, http.route (the ServeMux
// pattern's path) and http.response.status_code (200 when h writes no
// header; the status sent, also when h panics after sending it), so other
// OpenTelemetry backends read it as a server span. A 5xx status sets level
// ERROR with a status message such as "HTTP 503 Service Unavailable"; a
// 4xx status is the caller's fault and leaves the level as it is. With
// observe.TraceIDHeader, a request that joins no incoming trace gets a
// trace id derived from that header. A panic in h is recorded and goes on
// with the same value, so the server handles it as usual
// (http.ErrAbortHandler included).
//
// Requests are recorded by the client bound to the request's context
// (for example through http.Server.BaseContext and Client.Context), else
// by the default client.
//
// The http.ResponseWriter that h gets records the status and passes each
// WriteHeader call on once. A call that net/http would ignore and log (a
// second status, or one after Hijack) is logged as net/http logs it, to
// the server's ErrorLog, naming h's code that made it rather than this
// writer, and not passed on. The writer implements http.Flusher,
// http.Hijacker and io.ReaderFrom by delegating to the server's writer;
// its Unwrap method gives http.ResponseController the server's writer for
// everything else. With tracing disabled h is called directly with the
// request as it came.
func ObserveHandler(name string, h http.Handler, opts ...observe.Option) http.Handler {
	return &observedHandler{name: name, next: h, sp: core.NewSpec(name, core.Options(opts))}
}

// InjectHTTP writes the W3C trace context of the observation current in
// ctx (traceparent, tracestate) and the W3C baggage of ctx (see
// observe.Attributes.AsBaggage) into h, the headers of an outgoing
// request, so that the service called joins the trace. It uses the W3C
// propagators directly and never reads or changes the global
// OpenTelemetry propagator. A transport configured with the same
// propagators does the same.
func InjectHTTP(ctx context.Context, h http.Header) {
	if ctx == nil || h == nil {
		return
	}
	carrier := propagation.HeaderCarrier(h)
	propagation.TraceContext{}.Inject(ctx, carrier)
	propagation.Baggage{}.Inject(ctx, carrier)
}

// observedHandler is the http.Handler ObserveHandler returns. It is safe
// for concurrent use.
type observedHandler struct {
	name string
	next http.Handler
	sp   *core.Spec
}

// requestInput is what a request records as its input.
type requestInput struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
}

func (oh *observedHandler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := core.ClientFrom(ctx)
	if st == nil {
		oh.next.ServeHTTP(rw, r)
		return
	}
	sp := oh.sp
	if !trace.SpanContextFromContext(ctx).IsValid() {
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	if sp.ReadBaggage() {
		ctx = withIncomingBaggage(ctx, r.Header)
	}
	traceID := ""
	if h := sp.TraceIDHeader(); h != "" {
		if v := r.Header.Get(h); v != "" {
			traceID = observe.CreateTraceID(v)
		}
	}
	var rec *core.Record
	if sp.CaptureInput(st) {
		in := requestInput{Method: r.Method}
		if r.URL != nil {
			in.Path, in.Query = r.URL.Path, capture.RedactQuery(r.URL.RawQuery)
		}
		ctx, rec = sp.BeginRequest(ctx, st, traceID, in)
	} else {
		ctx, rec = sp.BeginRequest(ctx, st, traceID)
	}
	if span := rec.Span(); span.IsRecording() {
		if oh.name == "" {
			span.SetName(requestName(r))
		}
		attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(validText(r.Method))}
		if r.URL != nil {
			attrs = append(attrs, semconv.URLPath(validText(r.URL.Path)))
		}
		if r.Pattern != "" {
			attrs = append(attrs, semconv.HTTPRoute(routeOf(r.Pattern)))
		}
		span.SetAttributes(attrs...)
	}
	sw := &statusWriter{ResponseWriter: rw}
	sw.server, _ = r.Context().Value(http.ServerContextKey).(*http.Server)
	r2 := r.WithContext(ctx)
	done := false
	defer rec.Guard(&done, nil)
	defer oh.unwound(rec, r, r2, sw, &done) // before Guard ends a handler that panicked
	oh.next.ServeHTTP(sw, r2)
	done = true
	oh.rename(rec, r, r2)
	oh.finish(rec, sw)
}

// unwound completes the observation of a handler that did not return
// (it panicked, or called runtime.Goexit), before Guard ends it: the name
// the mux's pattern gives, and the status when one was sent, which the
// client may have received whatever happened next. returned skips a
// handler that returned, which finish completed.
func (oh *observedHandler) unwound(rec *core.Record, in, out *http.Request, sw *statusWriter, returned *bool) {
	if *returned {
		return
	}
	oh.rename(rec, in, out)
	if sw.status != 0 {
		rec.Span().SetAttributes(semconv.HTTPResponseStatusCode(sw.status))
	}
}

// rename names the observation after the pattern a ServeMux matched: in is
// the request as it came, out the copy the handler got, on which the mux
// sets the pattern. It runs before the observation ends, however the
// handler left.
func (oh *observedHandler) rename(rec *core.Record, in, out *http.Request) {
	if out.Pattern != "" && out.Pattern != in.Pattern {
		if oh.name == "" {
			rec.Span().SetName(out.Pattern)
		}
		rec.Span().SetAttributes(semconv.HTTPRoute(routeOf(out.Pattern)))
	}
}

// finish ends the observation of a request the handler returned from. The
// status code goes in http.response.status_code, not in the output, which
// stays for what the handler sets itself: Langfuse shows the root
// observation's output as the trace's.
func (oh *observedHandler) finish(rec *core.Record, sw *statusWriter) {
	status := sw.status
	if status == 0 {
		if sw.hijacked {
			rec.End(nil, core.Ending{}) // the handler took the connection: no status to record
			return
		}
		status = http.StatusOK
	}
	rec.Span().SetAttributes(semconv.HTTPResponseStatusCode(status))
	if status >= 500 {
		s := core.Resolve(core.Options([]observe.Option{observe.WithLevel(observe.LevelError), observe.WithStatusMessage(statusMessage(status))}))
		rec.End(&s, core.Ending{})
		return
	}
	rec.End(nil, core.Ending{})
}

// routeOf is the route of a ServeMux pattern: the pattern without its
// method and host ("GET example.com/items/{id}" is "/items/{id}").
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " \t")
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	return validText(pattern)
}

// validText makes s, which comes from the request, valid UTF-8: a span
// with invalid UTF-8 cannot be encoded for export.
func validText(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// requestName names a request before routing: its pattern when a
// ServeMux already matched one, else "METHOD /path".
func requestName(r *http.Request) string {
	if r.Pattern != "" {
		return validText(r.Pattern)
	}
	if r.URL == nil {
		return validText(r.Method)
	}
	return validText(r.Method + " " + r.URL.Path)
}

// statusMessage is the status message of a failed request: "HTTP 503
// Service Unavailable".
func statusMessage(code int) string {
	msg := "HTTP " + strconv.Itoa(code)
	if text := http.StatusText(code); text != "" {
		msg += " " + text
	}
	return msg
}

// withIncomingBaggage puts the W3C baggage of the request headers h in
// ctx and applies its langfuse_* members as propagated attributes.
// Malformed members are skipped quietly: the header comes from the
// caller, and a warning per request would let any caller fill the log.
func withIncomingBaggage(ctx context.Context, h http.Header) context.Context {
	values := h.Values("baggage")
	if len(values) == 0 {
		return ctx
	}
	b, _ := baggage.Parse(strings.Join(values, ","))
	if b.Len() == 0 {
		return ctx
	}
	ctx = baggage.ContextWithBaggage(ctx, b)
	a := observe.AttributesFromBaggage(b)
	if a.UserID == "" && a.SessionID == "" && a.Version == "" && a.TraceName == "" &&
		len(a.Tags) == 0 && len(a.Metadata) == 0 {
		return ctx
	}
	return observe.PropagateAttributes(ctx, a)
}

// statusWriter records the status code a handler sends. Only the first
// final status counts, as in net/http: informational 1xx headers other
// than 101 are passed on and not recorded.
type statusWriter struct {
	http.ResponseWriter
	server   *http.Server // logs superfluous WriteHeader calls; may be nil
	status   int
	hijacked bool
}

// WriteHeader passes code on, once: a call after the status was sent, or
// after Hijack, is one that net/http ignores, logging it with the name of
// the first function outside net/http that made it, which would be this
// writer. Such a call is logged here instead, in net/http's words and
// naming the handler's code that made it, and not passed on. Other calls
// are passed on as they are, so an invalid code panics as net/http makes
// it.
func (w *statusWriter) WriteHeader(code int) {
	switch {
	case w.hijacked:
		w.logMisuse("http: response.WriteHeader on hijacked connection from")
		return
	case w.status != 0:
		w.logMisuse("http: superfluous response.WriteHeader call from")
		return
	}
	w.ResponseWriter.WriteHeader(code)
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.status = code
	}
}

// logMisuse logs, as net/http logs a WriteHeader it ignores, msg followed
// by the caller: its function, file name and line.
func (w *statusWriter) logMisuse(msg string) {
	caller := relevantCaller()
	if w.server != nil && w.server.ErrorLog != nil {
		w.server.ErrorLog.Printf("%s %s (%s:%d)", msg, caller.Function, path.Base(caller.File), caller.Line)
		return
	}
	log.Printf("%s %s (%s:%d)", msg, caller.Function, path.Base(caller.File), caller.Line)
}

// ownFuncPrefix starts the names of this package's functions.
var ownFuncPrefix = reflect.TypeFor[statusWriter]().PkgPath() + "."

// relevantCaller returns the first frame of the calling goroutine's stack
// outside this package and net/http: the handler's code, for a call that
// came through this package's writer, or through net/http's helpers such
// as http.Error. It is how net/http finds the caller it names, but for
// skipping this package too.
func relevantCaller() runtime.Frame {
	pc := make([]uintptr, 32)
	n := runtime.Callers(1, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		frame, more := frames.Next()
		if !strings.HasPrefix(frame.Function, ownFuncPrefix) && !strings.HasPrefix(frame.Function, "net/http.") {
			return frame
		}
		if !more {
			return runtime.Frame{}
		}
	}
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom lets io.Copy use the server's sendfile path when it has one.
func (w *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w.ResponseWriter}, src)
}

// Flush sends buffered data to the client, for streamed responses such as
// server-sent events. It does nothing when the server's writer cannot
// flush.
func (w *statusWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush reporting an error, as http.ResponseController
// expects.
func (w *statusWriter) FlushError() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if err == nil && w.status == 0 {
		w.status = http.StatusOK
	}
	return err
}

// Hijack hands the connection to the handler; it returns an error
// wrapping http.ErrNotSupported when the server's writer cannot, as on
// HTTP/2.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return c, brw, err
}

// Unwrap returns the server's writer, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writerOnly hides every method but Write, so io.Copy does not call
// ReadFrom again.
type writerOnly struct{ io.Writer }
