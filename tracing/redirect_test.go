package tracing_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/tracing"
)

// landing records every request that reaches it and answers 200, as a
// server that a redirect points at would.
type landing struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []landed
}

type landed struct {
	method, path, auth string
	body               int
}

func newLanding(t *testing.T) *landing {
	t.Helper()
	l := &landing{}
	l.srv = httptest.NewServer(http.HandlerFunc(l.record))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *landing) record(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	l.seen = append(l.seen, landed{method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization"), body: len(b)})
	l.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (l *landing) requests() []landed {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]landed(nil), l.seen...)
}

// redirecting answers the traces endpoint with status and a Location of
// to(its own URL), and records every other request, as the server
// behind the redirect.
func redirecting(t *testing.T, status int, to func(self string) string) (*httptest.Server, *landing) {
	t.Helper()
	l := &landing{}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/public/otel/v1/traces" {
			http.Redirect(w, r, to(srv.URL), status)
			return
		}
		l.record(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, l
}

// TestRedirectThatDropsTheBodyIsAFailure checks that an export answered
// with a redirect that would turn the POST into a bodiless GET fails,
// naming the redirect, and that the spans count as dropped, not
// exported: a 200 to that GET took no span.
func TestRedirectThatDropsTheBodyIsAFailure(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, moved := redirecting(t, status, func(self string) string { return self + "/moved" })
			exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
			require.NoError(t, err)
			t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
			err = exp.ExportSpans(context.Background(), oneSpan())
			var ee *tracing.ExportError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, "redirected", ee.Kind)
			assert.Equal(t, status, ee.Status)
			assert.Contains(t, err.Error(), "redirected")
			assert.Contains(t, err.Error(), "not followed")
			assert.Contains(t, err.Error(), "/moved")
			assert.Empty(t, moved.requests(), "no bodiless request was sent")

			var logs bytes.Buffer
			p, tp := exportPipeline(t, srv.URL, &logs)
			for range 3 {
				_, s := tracing.Tracer(tp).Start(context.Background(), "s")
				s.End()
			}
			require.Error(t, tp.ForceFlush(context.Background()))
			assert.Zero(t, p.Exported())
			assert.Equal(t, uint64(3), p.Dropped())
			assert.Equal(t, uint64(1), p.Failed())
			assert.Contains(t, logs.String(), "redirect")
		})
	}
}

// TestRedirectKeepingTheBodyIsFollowedOnTheSameOrigin checks that a 307
// or 308 to another path of the same server is followed, with the method,
// the body and the credentials.
func TestRedirectKeepingTheBodyIsFollowedOnTheSameOrigin(t *testing.T) {
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, moved := redirecting(t, status, func(self string) string { return self + "/moved" })
			exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
			require.NoError(t, err)
			t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
			require.NoError(t, exp.ExportSpans(context.Background(), oneSpan()))
			got := moved.requests()
			require.Len(t, got, 1)
			assert.Equal(t, http.MethodPost, got[0].method)
			assert.Equal(t, "/moved", got[0].path)
			assert.Positive(t, got[0].body)
			assert.NotEmpty(t, got[0].auth)
		})
	}
}

// TestRedirectToAnotherOriginIsNotFollowed checks that no redirect takes
// the credentials to another origin: another port of the same host,
// another host name for the same address, or another scheme, whatever
// the status.
func TestRedirectToAnotherOriginIsNotFollowed(t *testing.T) {
	other := newLanding(t)
	port := other.srv.URL[strings.LastIndex(other.srv.URL, ":"):]
	targets := map[string]func(self string) string{
		"another port": func(string) string { return other.srv.URL + "/moved" },
		"another host": func(string) string { return "http://localhost" + port + "/moved" },
		"another scheme": func(self string) string {
			return "https://" + strings.TrimPrefix(self, "http://") + "/moved"
		},
	}
	for name, target := range targets {
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
			t.Run(fmt.Sprint(name, " ", status), func(t *testing.T) {
				srv, moved := redirecting(t, status, target)
				exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
				require.NoError(t, err)
				t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
				err = exp.ExportSpans(context.Background(), oneSpan())
				var ee *tracing.ExportError
				require.ErrorAs(t, err, &ee)
				assert.Equal(t, "redirected", ee.Kind)
				assert.Contains(t, err.Error(), "not followed")
				assert.Empty(t, other.requests(), "nothing reached the other origin")
				assert.Empty(t, moved.requests())
			})
		}
	}
}

// TestRedirectErrorShowsNoCredentials checks that a Location holding
// user info or a query is quoted without them.
func TestRedirectErrorShowsNoCredentials(t *testing.T) {
	other := newLanding(t)
	target := strings.Replace(other.srv.URL, "http://", "http://pk-lf-1:sk-lf-2@", 1) + "/x?token=sk-lf-2&sig=abc"
	srv, _ := redirecting(t, http.StatusTemporaryRedirect, func(string) string { return target })
	exp, err := tracing.NewExporter(context.Background(), exporterConfig(srv.URL))
	require.NoError(t, err)
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	err = exp.ExportSpans(context.Background(), oneSpan())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/x")
	for _, secret := range []string{"sk-lf-2", "sig=abc"} {
		assert.NotContains(t, err.Error(), secret)
	}
	assert.Empty(t, other.requests())
}
