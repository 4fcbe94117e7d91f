package langfuse_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
)

// serverLog serves one GET through h on a server bound to ctx's client
// and returns what the server logged once h has returned (and so ended
// its observation): the server's Close does not wait for a handler that
// hijacked its connection.
func serverLog(t *testing.T, ctx context.Context, h http.Handler) string {
	t.Helper()
	var logs lockedBuffer
	returned := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(returned)
		h.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(&logs, "", 0)
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	t.Cleanup(srv.Close)
	// A handler that panics leaves the client without an answer.
	if resp, err := srv.Client().Get(srv.URL); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	<-returned
	srv.Close()
	return logs.String()
}

// The server's log line about a WriteHeader it ignores names the
// handler's code, in net/http's own words, exactly as it does without
// ObserveHandler: the same function, file and line, never the writer the
// observation wraps around the handler. Before, the line named
// net/http.Error for a status written by http.Error, and the wrapper
// itself for a WriteHeader after Hijack, and it gave the file's full path
// where net/http gives its base name.
func TestObserveHandlerMisusedWriteHeaderIsLoggedAsWithout(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  string // recorded in http.response.status_code; "" for none
		want    string // the start of the log line
	}{
		{"twice", writeHeaderTwice, "202", "http: superfluous response.WriteHeader call from github.com/observe-go/langfuse_test.writeHeaderTwice (handler_server_test.go:"},
		{"http.Error after the header", errorAfterHeader, "202", "http: superfluous response.WriteHeader call from github.com/observe-go/langfuse_test.errorAfterHeader (handler_writeheader_test.go:"},
		{"after Write", writeHeaderAfterWrite, "200", "http: superfluous response.WriteHeader call from github.com/observe-go/langfuse_test.writeHeaderAfterWrite (handler_writeheader_test.go:"},
		{"informational after the header", informationalAfterHeader, "202", "http: superfluous response.WriteHeader call from github.com/observe-go/langfuse_test.informationalAfterHeader (handler_writeheader_test.go:"},
		{"invalid code after the header", invalidCodeAfterHeader, "202", "http: superfluous response.WriteHeader call from github.com/observe-go/langfuse_test.invalidCodeAfterHeader (handler_writeheader_test.go:"},
		{"after Hijack", writeHeaderAfterHijack, "", "http: response.WriteHeader on hijacked connection from github.com/observe-go/langfuse_test.writeHeaderAfterHijack (handler_writeheader_test.go:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := serverLog(t, context.Background(), tt.handler)
			require.True(t, strings.HasPrefix(want, tt.want), "net/http logs %q", want)
			require.Equal(t, 1, strings.Count(want, "\n"), "one line: %q", want)

			ctx, rec := langfusetest.New(t)
			got := serverLog(t, ctx, langfuse.ObserveHandler("observed", tt.handler))
			assert.Equal(t, want, got, "the same line as without ObserveHandler")
			assert.NotContains(t, got, "statusWriter")
			assert.Equal(t, tt.status, rec.MustFind(t, "observed").Attr(statusCodeKey))

			// Observed twice over, the inner writer speaks for the handler.
			ctx, _ = langfusetest.New(t)
			got = serverLog(t, ctx, langfuse.ObserveHandler("outer", langfuse.ObserveHandler("inner", tt.handler)))
			assert.Equal(t, want, got, "the same line through two ObserveHandlers")
		})
	}
}

func errorAfterHeader(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusAccepted)
	http.Error(w, "too late", http.StatusInternalServerError)
}

func writeHeaderAfterWrite(w http.ResponseWriter, _ *http.Request) {
	_, _ = io.WriteString(w, "body")
	w.WriteHeader(http.StatusInternalServerError)
}

func informationalAfterHeader(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusAccepted)
	w.WriteHeader(http.StatusEarlyHints)
}

// invalidCodeAfterHeader gives a code that WriteHeader panics on, but
// only after the status was sent: net/http then logs the call as
// superfluous instead.
func invalidCodeAfterHeader(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusAccepted)
	w.WriteHeader(0)
}

// writeHeaderAfterHijack calls WriteHeader on a connection it took over,
// before it answers on that connection, so that the line is logged by
// the time the client has its answer.
func writeHeaderAfterHijack(w http.ResponseWriter, _ *http.Request) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = brw.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
	_ = brw.Flush()
}

func recovered(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// A handler that panics after it wrote the header has sent that status:
// the observation records it in http.response.status_code, besides the
// panic. Before, the status was recorded only when the handler returned.
func TestObserveHandlerPanicAfterHeaderRecordsStatus(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  string
	}{
		{"after WriteHeader", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			panic("after the header")
		}, "503"},
		{"after Write", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "partial")
			panic(http.ErrAbortHandler)
		}, "200"},
		{"before anything", func(http.ResponseWriter, *http.Request) {
			panic("before the header")
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t)
			v := recovered(func() {
				serve(langfuse.ObserveHandler("panics", tt.handler), httptest.NewRequest(http.MethodGet, "/", nil))
			})
			require.NotNil(t, v, "the panic goes on")
			o := rec.MustFind(t, "panics")
			assert.True(t, o.Failed())
			assert.Equal(t, tt.status, o.Attr(statusCodeKey))
		})
	}
}
