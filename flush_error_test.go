package langfuse_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/tracing"
)

// A program that flushes learns that its spans did not reach Langfuse.
func TestFlushReturnsTheExportError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-1", "sk-lf-1", srv.URL
	cfg.ExportMode = config.ExportBatched
	cfg.FlushInterval = time.Hour // the span leaves when Flush asks
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.AsDefault(false),
		langfuse.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })

	_, o := observe.Start(c.Context(context.Background()), "op")
	o.End()
	err = c.Flush(context.Background())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "unauthorized", ee.Kind)
	assert.NotContains(t, err.Error(), "sk-lf-1")
}
