package main

import (
	"strings"
	"testing"

	"github.com/observe-go/langfuse/integrations/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	got := exampletest.Run(t, run)
	exampletest.Shows(t, got,
		"forecast: Sunny in Lisbon, 24 °C",
		"book-hotel: no rooms left for those dates (isError: true )",
		"└─ plan-trip  agent",
		`input:  {"city":"Lisbon"}`,
		`output: {"content":[{"type":"text","text":"Sunny in Lisbon, 24 °C"}]`,
		`level=ERROR "no rooms left for those dates"`,
		"└─ read-station  span",
	)
	// Each call shows twice: the agent's side and the server's, the
	// latter under the agent's as its remote parent.
	exampletest.ShowsTimes(t, got, "forecast  tool", 2)
	exampletest.ShowsTimes(t, got, "book-hotel  tool", 2)
	exampletest.ShowsTimes(t, got, "(remote parent ", 2)
	// One trace: every tree printed is of the agent's trace.
	var traces []string
	for line := range strings.SplitSeq(got, "\n") {
		if rest, ok := strings.CutPrefix(line, "trace "); ok {
			traces = append(traces, strings.Fields(rest)[0]) // the id, before any label of the client
		}
	}
	if len(traces) < 2 {
		t.Fatalf("%d trace trees printed\n%s", len(traces), got)
	}
	for _, id := range traces {
		if id != traces[0] {
			t.Errorf("trees of traces %s and %s: the server did not continue the agent's trace\n%s", traces[0], id, got)
		}
	}
}
