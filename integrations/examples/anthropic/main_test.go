package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	// Print the trace rather than send it, whatever the environment says.
	t.Setenv("LANGFUSE_PUBLIC_KEY", "")
	t.Setenv("LANGFUSE_SECRET_KEY", "")
	t.Setenv("LANGFUSE_TRACING_ENABLED", "true")
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("ANTHROPIC_BASE_URL", "")

	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
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
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s\n%s", want, got)
		}
	}
	if n := strings.Count(got, "anthropic.messages  generation"); n != 2 {
		t.Errorf("%d generations, want 2\n%s", n, got)
	}
	if strings.Contains(got, "sk-ant-example") {
		t.Errorf("the API key was printed\n%s", got)
	}
}
