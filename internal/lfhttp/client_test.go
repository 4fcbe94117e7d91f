package lfhttp

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/observe-go/langfuse/config"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testSDK = SDK{Name: "langfuse-go", Version: "9.9.9"}

func testConfig(base string) config.Config {
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey = "pk-lf-1", "sk-lf-0123456789abcdefghij"
	cfg.BaseURL = base
	return cfg
}

// countingTransport counts the requests it passes on.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func TestRequestsCarryTheHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() }))
	t.Cleanup(srv.Close)
	c, err := New(testConfig(srv.URL+"/"), testSDK, nil)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	assert.Equal(t, srv.URL+IngestionPath, c.URL(IngestionPath))
	req, err := c.NewRequest(context.Background(), http.MethodPost, c.URL(IngestionPath), nil, NewBody([]byte("{}"), nil))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	h := <-got
	assert.Equal(t, "Basic "+BasicCredentials(testConfig("")), h.Get("Authorization"))
	assert.Equal(t, "langfuse-go", h.Get("x-langfuse-sdk-name"))
	assert.Equal(t, "9.9.9", h.Get("x-langfuse-sdk-version"))
	assert.Equal(t, "pk-lf-1", h.Get("x-langfuse-public-key"))
	assert.Equal(t, "langfuse-go/9.9.9", h.Get("User-Agent"))
}

// TestProgramsClientIsUsedNotChanged checks that requests go through the
// program's client, that the client is left as it was, and that its own
// redirect policy still applies after the Client's.
func TestProgramsClientIsUsedNotChanged(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			http.Redirect(w, r, "/second", http.StatusTemporaryRedirect)
		}
	}))
	t.Cleanup(srv.Close)
	tr := &countingTransport{next: srv.Client().Transport}
	stop := errors.New("the program's policy says no")
	policy := func(*http.Request, []*http.Request) error { return stop }
	hc := &http.Client{Transport: tr, CheckRedirect: policy, Timeout: time.Hour}
	c, err := New(testConfig(srv.URL), testSDK, hc)
	require.NoError(t, err)

	req, err := c.NewRequest(context.Background(), http.MethodGet, c.URL("/first"), nil, nil)
	require.NoError(t, err)
	_, err = c.Do(req)
	require.ErrorIs(t, err, stop)
	assert.Equal(t, int32(1), tr.n.Load())
	assert.Equal(t, time.Hour, hc.Timeout, "the program's client is not changed")
	require.ErrorIs(t, hc.CheckRedirect(nil, nil), stop)
	assert.Same(t, tr, hc.Transport)
	assert.Equal(t, 5*time.Second, c.hc.Timeout, "LANGFUSE_TIMEOUT bounds each request")
}

// TestRedirectPolicy checks which redirects are followed: those that keep
// the method, the body and the origin.
func TestRedirectPolicy(t *testing.T) {
	mux := http.NewServeMux()
	var landed atomic.Int32
	mux.HandleFunc("/landing", func(w http.ResponseWriter, r *http.Request) {
		landed.Add(1)
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	other := httptest.NewServer(mux)
	t.Cleanup(other.Close)
	mux.HandleFunc("/go/{status}/{where}", func(w http.ResponseWriter, r *http.Request) {
		status := map[string]int{"301": 301, "302": 302, "303": 303, "307": 307, "308": 308, "300": 300}[r.PathValue("status")]
		switch r.PathValue("where") {
		case "here":
			w.Header().Set("Location", "/landing")
		case "other":
			w.Header().Set("Location", other.URL+"/landing")
		}
		w.WriteHeader(status)
	})
	c, err := New(testConfig(srv.URL), testSDK, nil)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	for _, tt := range []struct {
		method, path string
		followed     bool
		reason       string
	}{
		{http.MethodPost, "/go/307/here", true, ""},
		{http.MethodPost, "/go/308/here", true, ""},
		{http.MethodPost, "/go/301/here", false, "without its body"},
		{http.MethodPost, "/go/302/here", false, "without its body"},
		{http.MethodPost, "/go/303/here", false, "without its body"},
		{http.MethodPost, "/go/307/other", false, "another origin"},
		{http.MethodGet, "/go/301/here", true, ""},
		{http.MethodGet, "/go/302/other", false, "another origin"},
		{http.MethodGet, "/go/300/here", false, "not an answer"},
		{http.MethodGet, "/go/307/nowhere", false, "without a location"},
	} {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			before := landed.Load()
			var body *Body
			if tt.method == http.MethodPost {
				body = NewBody([]byte("payload"), nil)
			}
			req, err := c.NewRequest(context.Background(), tt.method, c.URL(tt.path), nil, body)
			require.NoError(t, err)
			resp, err := c.Do(req)
			if tt.followed {
				require.NoError(t, err)
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				if body != nil {
					assert.Equal(t, "payload", string(b))
				}
				assert.Equal(t, before+1, landed.Load())
				return
			}
			var re *RedirectError
			require.ErrorAs(t, err, &re)
			assert.Nil(t, resp)
			assert.Contains(t, re.Error(), tt.reason)
			assert.Contains(t, re.Error(), "not followed")
			assert.Equal(t, before, landed.Load(), "nothing was sent on")
		})
	}
}

func TestOrigin(t *testing.T) {
	same := [][2]string{
		{"http://h/a", "http://h:80/b"},
		{"https://H:443/a", "https://h/b?q"},
	}
	differ := [][2]string{
		{"http://h/a", "https://h/a"},
		{"http://h:1/a", "http://h:2/a"},
		{"http://h/a", "http://sub.h/a"},
		{"http://127.0.0.1/a", "http://localhost/a"},
	}
	parse := func(s string) *url.URL {
		u, err := url.Parse(s)
		require.NoError(t, err)
		return u
	}
	for _, p := range same {
		assert.Equal(t, origin(parse(p[0])), origin(parse(p[1])), p)
	}
	for _, p := range differ {
		assert.NotEqual(t, origin(parse(p[0])), origin(parse(p[1])), p)
	}
}

func TestShowDropsUserInfoAndQuery(t *testing.T) {
	c, err := New(testConfig("http://h"), testSDK, nil)
	require.NoError(t, err)
	u, err := url.Parse("https://pk:sk-lf-0123456789abcdefghij@evil.example:8443/a%20b?token=sk-lf-0123456789abcdefghij#f")
	require.NoError(t, err)
	shown := c.show(u)
	assert.Equal(t, "https://evil.example:8443/a%20b?…", shown)
}

func TestNewRefusesWhatItCannotPostTo(t *testing.T) {
	for _, base := range []string{"ftp://host", "http://", "::", "https://pk:sk-lf-secret@host", "host:3000"} {
		_, err := New(testConfig(base), testSDK, nil)
		require.Error(t, err, base)
		assert.Contains(t, err.Error(), config.EnvBaseURL)
		assert.NotContains(t, err.Error(), "secret")
	}
}

func TestBodyGoesBackWhenEveryReaderIsClosed(t *testing.T) {
	var released atomic.Int32
	b := NewBody([]byte("abc"), func() { released.Add(1) })
	r1, r2 := b.reader(), b.reader()
	b.Release()
	assert.Zero(t, released.Load(), "two readers are open")
	got, err := io.ReadAll(r1)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
	require.NoError(t, r1.Close())
	require.NoError(t, r1.Close(), "a second Close changes nothing")
	assert.Zero(t, released.Load())
	require.NoError(t, r2.Close())
	assert.Equal(t, int32(1), released.Load())
	_, err = r2.Read(make([]byte, 1))
	assert.ErrorIs(t, err, http.ErrBodyReadAfterClose, "a closed reader reads nothing")
}

func TestRedactorTakesOutCredentials(t *testing.T) {
	cfg := testConfig("")
	r := NewRedactor(cfg)
	text := "key " + cfg.SecretKey + " auth Basic " + BasicCredentials(cfg) + " bearer abcdefghijklmnopqrstuvwxyz0123"
	got := r.Text(text, 0)
	assert.NotContains(t, got, cfg.SecretKey)
	assert.NotContains(t, got, BasicCredentials(cfg))
	assert.NotContains(t, got, "abcdefghijklmnopqrstuvwxyz0123")
	assert.Equal(t, 3, strings.Count(got, Redacted))
	assert.LessOrEqual(t, len(r.Text(strings.Repeat("é", 100), 7)), 7)

	err := r.Error(&RedirectError{Status: 307, Location: "http://x", Reason: cfg.SecretKey})
	var re *RedirectError
	assert.ErrorAs(t, err, &re)
	assert.NotContains(t, err.Error(), cfg.SecretKey)
}

// TestPermanent checks which failures without an answer a retry cannot
// mend.
func TestPermanent(t *testing.T) {
	wrap := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://langfuse.example", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	assert.True(t, Permanent(wrap(&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true})), "a name that does not resolve")
	assert.True(t, Permanent(&url.Error{Op: "Post", URL: "https://x", Err: x509.UnknownAuthorityError{}}), "an untrusted certificate")
	assert.False(t, Permanent(wrap(&net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true})), "a resolver that timed out")
	assert.False(t, Permanent(wrap(syscall.ECONNREFUSED)), "a refused connection")
	assert.False(t, Permanent(wrap(syscall.ECONNRESET)), "a reset connection")
}
