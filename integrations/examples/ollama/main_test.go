package main

import (
	"testing"

	"github.com/observe-go/langfuse/integrations/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	got := exampletest.Run(t, run, "OLLAMA_HOST")
	exampletest.Shows(t, got,
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
	)
	exampletest.ShowsTimes(t, got, "ollama.chat  generation", 2)
}
