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
	t.Setenv("OLLAMA_HOST", "")

	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"answer: The Belém Tower.",
		"streamed: The Dom Luís I Bridge.",
		"plan-trip  agent",
		`model=llama3.2 usage={"input":24,"output":6,"total":30}`,
		`model=llama3.2 usage={"input":15,"output":7,"total":22}`,
		"ttft=",
		`input:  [{"role":"user","content":"And one in Porto?"}]`,
		`output: {"role":"assistant","content":"The Belém Tower."}`,
		`output: {"role":"assistant","content":"The Dom Luís I Bridge."}`,
		"meta:   done_reason=stop eval_duration=640000000 feature=trips load_duration=21000000 prompt_eval_duration=95000000 total_duration=812000000",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s\n%s", want, got)
		}
	}
	if n := strings.Count(got, "ollama.chat  generation"); n != 2 {
		t.Errorf("%d generations, want 2\n%s", n, got)
	}
}
