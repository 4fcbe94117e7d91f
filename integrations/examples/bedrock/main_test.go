package main

import (
	"testing"

	"github.com/observe-go/langfuse/integrations/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	got := exampletest.Run(t, run)
	exampletest.Shows(t, got,
		"answer: The Belém Tower.",
		"streamed: The Dom Luís I Bridge.",
		"plan-trip  agent",
		"bedrock.converse  generation",
		"model=anthropic.claude-3-5-haiku-20241022-v1:0",
		`usage={"input":21,"output":7,"total":28}`,
		`usage={"input":14,"output":8,"total":22}`,
		`input:  [{"role":"system","content":[{"text":"You are a travel assistant."}]}`,
		`output: {"role":"assistant","content":[{"text":"The Belém Tower."}]}`,
		`output: {"role":"assistant","content":[{"text":"The Dom Luís I Bridge."}]}`,
		"meta:   feature=trips latency_ms=310 stop_reason=end_turn",
	)
	exampletest.ShowsTimes(t, got, "bedrock.converse  generation", 2)
	exampletest.Hides(t, got, "example-secret", "example-session-token", "AWS4-HMAC-SHA256")
}
