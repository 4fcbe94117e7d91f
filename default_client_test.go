package langfuse_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// keyedRecorder makes a default client with keys pk (and a secret) that
// records into a recorder of its own, logging to logs.
func keyedRecorder(t *testing.T, pk string, logs *bytes.Buffer, opts ...langfuse.Option) (*langfuse.Client, *langfusetest.Recorder) {
	t.Helper()
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	cfg.PublicKey, cfg.SecretKey = pk, "sk-lf-"+pk+"-secret"
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(append([]langfuse.Option{langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c, rec
}

func TestANewDefaultClientSaysItTakesOver(t *testing.T) {
	var firstLogs, secondLogs bytes.Buffer
	keyedRecorder(t, "pk-lf-first", &firstLogs)
	assert.Empty(t, firstLogs.String(), "the first default replaces no one")

	keyedRecorder(t, "pk-lf-second", &secondLogs)
	assert.Contains(t, secondLogs.String(), "a new client (public key pk-lf-second) is now the default")
	assert.Contains(t, secondLogs.String(), "the previous one (public key pk-lf-first)")
	assert.NotContains(t, secondLogs.String(), "secret", "public keys only")

	var quiet bytes.Buffer
	keyedRecorder(t, "pk-lf-aside", &quiet, langfuse.AsDefault(false))
	assert.Empty(t, quiet.String(), "a client that does not become the default says nothing")
}

func TestTheDefaultRoleGoesBackWhenTheNewDefaultShutsDown(t *testing.T) {
	var logs bytes.Buffer
	_, first := keyedRecorder(t, "pk-lf-first", &logs)
	second, secondRec := keyedRecorder(t, "pk-lf-second", &logs)
	third, thirdRec := keyedRecorder(t, "pk-lf-third", &logs)

	step := langfuse.Observe1("step", func(_ context.Context, n int) (int, error) { return n, nil })
	_, err := step(context.Background(), 3)
	require.NoError(t, err)
	assert.Len(t, thirdRec.FindAll("step"), 1)

	// The middle one goes first: the default stays the third.
	require.NoError(t, second.Shutdown(context.Background()))
	_, err = step(context.Background(), 3)
	require.NoError(t, err)
	assert.Len(t, thirdRec.FindAll("step"), 2)

	logs.Reset()
	require.NoError(t, third.Shutdown(context.Background()))
	assert.Contains(t, logs.String(), "the default client (public key pk-lf-third) shut down; the previous default (public key pk-lf-first) records again",
		"the role skips the client that shut down")
	_, err = step(context.Background(), 1)
	require.NoError(t, err)
	assert.Len(t, first.FindAll("step"), 1, "wrappers record through the first client again")
	assert.Empty(t, secondRec.FindAll("step"))

	_, o := observe.Start(context.Background(), "manual")
	o.End()
	assert.Len(t, first.FindAll("manual"), 1)
}
