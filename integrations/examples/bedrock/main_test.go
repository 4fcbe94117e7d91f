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

	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
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
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s\n%s", want, got)
		}
	}
	if n := strings.Count(got, "bedrock.converse  generation"); n != 2 {
		t.Errorf("%d generations, want 2\n%s", n, got)
	}
	for _, secret := range []string{"example-secret", "example-session-token", "AWS4-HMAC-SHA256"} {
		if strings.Contains(got, secret) {
			t.Errorf("%s was printed\n%s", secret, got)
		}
	}
}
