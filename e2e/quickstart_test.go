package e2e_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstart builds and runs examples/quickstart, the README's first
// command, against the collector and checks that its trace arrives whole.
func TestQuickstart(t *testing.T) {
	c := startCollector(t)
	root := repoRoot(t)

	bin := filepath.Join(t.TempDir(), "quickstart")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/quickstart")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./examples/quickstart:\n%s", out)

	run := exec.CommandContext(ctx, bin)
	run.Env = childEnv(map[string]string{
		"LANGFUSE_PUBLIC_KEY": testPublicKey,
		"LANGFUSE_SECRET_KEY": testSecretKey,
		"LANGFUSE_BASE_URL":   c.URL,
	})
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	require.NoError(t, run.Run(), "quickstart failed; stderr:\n%s", stderr.String())
	assert.Contains(t, stdout.String(), "Langfuse records traces", "the answer is printed")

	spans := c.spans(t)
	requireWellFormedIDs(t, spans)
	got := byName(t, spans)
	for _, name := range []string{"answer-question", "retrieve-docs", "generate-answer", "weather-tool"} {
		require.Contains(t, got, name, "spans received: %v", names(spans))
	}
	agent := got["answer-question"]
	assert.Empty(t, agent.ParentSpanID, "answer-question is the root")
	for _, s := range spans {
		assert.Equal(t, "quickstart", s.attr("langfuse.trace.name"), "trace name of %q", s.Name)
		assert.Equal(t, "user-42", s.attr("user.id"), "user of %q", s.Name)
		assert.Equal(t, agent.TraceID, s.TraceID, "trace of %q", s.Name)
		if s.Name != agent.Name {
			assert.Equal(t, agent.SpanID, s.ParentSpanID, "parent of %q", s.Name)
		}
	}
	assert.Equal(t, "agent", agent.attr("langfuse.observation.type"))
	assert.Equal(t, "generation", got["generate-answer"].attr("langfuse.observation.type"))
	assert.Equal(t, "gpt-4o-mini", got["generate-answer"].attr("langfuse.observation.model.name"))
	assert.Equal(t, "ERROR", got["weather-tool"].attr("langfuse.observation.level"), "the failing tool")
}
