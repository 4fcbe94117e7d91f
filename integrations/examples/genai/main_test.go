package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/tracing"
)

func TestRun(t *testing.T) {
	var out, console bytes.Buffer
	// The defaults, whatever LANGFUSE_* says, so that the trace is
	// printed, without durations so that it can be compared.
	err := run(context.Background(), &out,
		langfuse.WithConfig(config.Default()),
		langfuse.WithSpanExporter(tracing.NewConsoleExporter(&console, tracing.WithoutDurations())),
		langfuse.AsDefault(false))
	require.NoError(t, err)

	assert.Equal(t, "Air scatters blue sunlight more than red, so blue reaches us from all over the sky.\n"+
		"Sunlight crosses more air, so the blue is scattered away and red is left.\n", out.String())

	tree := console.String()
	for _, want := range []string{
		"└─ explain-the-sky  span",
		"   ├─ genai.generateContent  generation  model=gemini-2.5-flash-001 " +
			`usage={"input":10,"output":19,"output_reasoning":24,"total":53}`,
		`input:  [{"parts":[{"text":"Why is the sky blue? One sentence."}],"role":"user"}]`,
		`output: {"role":"model","parts":[{"text":"Air scatters blue sunlight`,
		"meta:   feature=sky finish_reason=STOP response_id=fake-response-1",
		"   └─ genai.streamGenerateContent  generation  model=gemini-2.5-flash-001 " +
			`usage={"input":22,"output":17,"total":39}`,
		`output: {"role":"model","parts":[{"text":"Sunlight crosses more air, so the blue is scat`,
	} {
		assert.Contains(t, tree, want)
	}
}
