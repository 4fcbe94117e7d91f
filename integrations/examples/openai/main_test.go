package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
)

// TestRun runs the example without Langfuse keys and reads the trace
// tree it prints.
func TestRun(t *testing.T) {
	for _, k := range []string{"LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_TRACING_ENABLED", "LANGFUSE_SAMPLE_RATE"} {
		t.Setenv(k, "")
	}
	var out, tree bytes.Buffer
	require.NoError(t, run(&out, langfuse.WithConsoleWriter(&tree)))

	assert.Equal(t, "Paris is the capital of France.\nThe Eiffel Tower, the Louvre and Notre-Dame.\n", out.String())
	printed := tree.String()
	t.Log("\n" + printed)
	assert.Contains(t, printed, "trip-planner  agent")
	lines := strings.Split(printed, "\n")
	var gens []string
	for _, l := range lines {
		if strings.Contains(l, "openai.chat.completions  generation") {
			gens = append(gens, l)
		}
	}
	require.Len(t, gens, 2, printed)
	for _, g := range gens {
		assert.Regexp(t, `^   [├└]─ `, g, "nested under the agent")
		assert.Contains(t, g, "model=gpt-4o-mini-2024-07-18")
	}
	assert.Contains(t, gens[0], `usage={"input":27,"input_cached_tokens":0,"output":8,"total":35}`)
	assert.Contains(t, gens[1], `usage={"input":13,"output":12,"total":25}`)
	assert.Contains(t, printed, `output: {"role":"assistant","content":"The Eiffel Tower, the Louvre and Notre-Dame."}`)
	assert.Contains(t, printed, `input:  [{"content":"Name three sights in Paris.","role":"user"}]`)
	assert.Contains(t, printed, "meta:   feature=trips", "the transport's observation options")
	assert.NotContains(t, printed, "sk-local-fake-key")
}
