package experiment_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/tracing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// batchedClient returns a client that exports its spans and scores to
// rec in batches, as a client sending to Langfuse does, with a queue
// that holds a thousand items' spans; base, when given, is where its
// calls of the public API go, with keys that fakeLangfuse accepts.
func batchedClient(t *testing.T, rec *langfusetest.Recorder, base ...string) *langfuse.Client {
	t.Helper()
	cfg := config.Default()
	cfg.MaxQueueSize = 10000
	if len(base) > 0 {
		cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-test", "sk-lf-test", base[0]
	}
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec),
		langfuse.WithExportFilter(tracing.ExportAll), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}
