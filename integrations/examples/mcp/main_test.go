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
		"forecast: Sunny in Lisbon, 24 °C",
		"book-hotel: no rooms left for those dates (isError: true )",
		"└─ plan-trip  agent",
		`input:  {"city":"Lisbon"}`,
		`output: {"content":[{"type":"text","text":"Sunny in Lisbon, 24 °C"}]`,
		`level=ERROR "no rooms left for those dates"`,
		"└─ read-station  span",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s\n%s", want, got)
		}
	}
	// Each call shows twice: the agent's side and the server's, the
	// latter under the agent's as its remote parent.
	for _, tool := range []string{"forecast  tool", "book-hotel  tool"} {
		if n := strings.Count(got, tool); n != 2 {
			t.Errorf("%q shows %d times, want 2\n%s", tool, n, got)
		}
	}
	if n := strings.Count(got, "(remote parent "); n != 2 {
		t.Errorf("%d server parts with a remote parent, want 2\n%s", n, got)
	}
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
