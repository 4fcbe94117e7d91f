package langfuse_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
)

// privateLangfuse is a Langfuse behind TLS with a certificate of its own
// CA, which no system trusts; it records the path and headers of every
// request it gets.
type privateLangfuse struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen map[string]http.Header // by path, the last request's headers
}

func newPrivateLangfuse(t *testing.T) *privateLangfuse {
	t.Helper()
	p := &privateLangfuse{seen: map[string]http.Header{}}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		p.mu.Lock()
		p.seen[r.URL.Path] = r.Header.Clone()
		p.mu.Unlock()
		if r.URL.Path == "/api/public/ingestion" {
			w.WriteHeader(http.StatusMultiStatus)
			_, _ = io.WriteString(w, `{"successes":[],"errors":[]}`)
		}
	}))
	// The refused handshakes of a client that does not trust the CA.
	p.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)
	return p
}

func (p *privateLangfuse) requests() map[string]http.Header {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]http.Header{}
	for k, v := range p.seen {
		out[k] = v
	}
	return out
}

func privateConfig(base string) config.Config {
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-private", "sk-lf-private-0123456789", base
	cfg.FlushInterval = time.Hour // only Flush sends
	return cfg
}

// observeAndScore makes one observation and one score with c, and flushes.
func observeAndScore(t *testing.T, c *langfuse.Client) error {
	t.Helper()
	ctx, o := observe.Start(c.Context(context.Background()), "private")
	o.End()
	require.NoError(t, c.CreateScore(ctx, langfuse.Score{Name: "ok", TraceID: o.TraceID(), Value: 1}))
	return c.Flush(context.Background())
}

// TestWithHTTPClientReachesAPrivateCA checks that spans and scores go
// through the program's client, which trusts the server's own CA, with
// the same SDK headers, and that the program's client is not changed.
func TestWithHTTPClientReachesAPrivateCA(t *testing.T) {
	lf := newPrivateLangfuse(t)
	hc := lf.srv.Client()
	transport := hc.Transport
	c, err := langfuse.New(langfuse.WithConfig(privateConfig(lf.srv.URL)), langfuse.AsDefault(false),
		langfuse.WithHTTPClient(hc))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	require.NoError(t, observeAndScore(t, c))

	seen := lf.requests()
	require.Contains(t, seen, "/api/public/otel/v1/traces")
	require.Contains(t, seen, "/api/public/ingestion")
	spans, scores := seen["/api/public/otel/v1/traces"], seen["/api/public/ingestion"]
	for _, h := range []string{"Authorization", "x-langfuse-sdk-name", "x-langfuse-sdk-version", "x-langfuse-public-key", "User-Agent"} {
		assert.NotEmpty(t, spans.Get(h), h)
		assert.Equal(t, spans.Get(h), scores.Get(h), "spans and scores carry the same %s", h)
	}
	assert.Contains(t, scores.Get("User-Agent"), "langfuse-go/")
	st := c.Stats()
	assert.Equal(t, uint64(1), st.Exported)
	assert.Equal(t, uint64(1), st.ScoresSent)
	assert.Nil(t, hc.CheckRedirect, "the program's client is not changed")
	assert.Zero(t, hc.Timeout)
	assert.Same(t, transport, hc.Transport)
}

// TestWithoutHTTPClientAPrivateCAIsRefused checks that the same server
// is refused without the program's client: its certificate is not
// trusted, and nothing is sent.
func TestWithoutHTTPClientAPrivateCAIsRefused(t *testing.T) {
	lf := newPrivateLangfuse(t)
	c, err := langfuse.New(langfuse.WithConfig(privateConfig(lf.srv.URL)), langfuse.AsDefault(false),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	err = observeAndScore(t, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Contains(t, err.Error(), "WithHTTPClient", "the error says how to trust a private CA")
	st := c.Stats()
	assert.Zero(t, st.Exported)
	assert.Equal(t, uint64(1), st.Failed)
	assert.Equal(t, uint64(1), st.ScoresFailed)
	require.Error(t, st.LastScoreError)
	assert.Contains(t, st.LastScoreError.Error(), "certificate")
	assert.Empty(t, lf.requests())
}
