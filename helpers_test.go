package langfuse_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
)

// newClient makes a default client that records synchronously into a
// recorder. change edits the configuration first.
func newClient(t *testing.T, change ...func(*config.Config)) (*langfuse.Client, *langfusetest.Recorder) {
	t.Helper()
	var f func(*config.Config)
	if len(change) > 0 {
		f = change[0]
	}
	return newClientWith(t, f)
}

// newClientWith is newClient with options for New.
func newClientWith(t *testing.T, change func(*config.Config), opts ...langfuse.Option) (*langfuse.Client, *langfusetest.Recorder) {
	t.Helper()
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	if change != nil {
		change(&cfg)
	}
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(append([]langfuse.Option{langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c, rec
}

func find(t *testing.T, rec *langfusetest.Recorder, name string) langfusetest.Observation {
	t.Helper()
	o, ok := rec.Find(name)
	require.True(t, ok, "no observation %q among %d", name, len(rec.Spans()))
	return o
}
