package main

import (
	"testing"

	"github.com/observe-go/langfuse/integrations/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	got := exampletest.Run(t, run, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")
	exampletest.Shows(t, got,
		"answer: The Belém Tower.",
		"streamed: The Dom Luís I Bridge.",
		"plan-trip  agent",
		"anthropic.messages  generation",
		"model=claude-sonnet-4-6-20260115",
		// The console cuts long lines; the usage keys are sorted.
		`usage={"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"input":21,`,
		`usage={"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"input":14,`,
		`input:  [{"role":"system","content":[{"text":"You are a travel assistant."`,
		`output: {"role":"assistant","content":[{"type":"text","text":"The Belém Tower."}]}`,
		`output: {"role":"assistant","content":[{"text":"The Dom Luís I Bridge.","type":"text"}]}`,
		"meta:   feature=trips message_id=msg_01Porto stop_reason=end_turn",
	)
	exampletest.ShowsTimes(t, got, "anthropic.messages  generation", 2)
	exampletest.Hides(t, got, "sk-ant-example")
}
