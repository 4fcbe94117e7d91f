package exampletest_test

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/observe-go/langfuse/integrations/examples/internal/exampletest"
)

func TestRunClearsTheEnvironment(t *testing.T) {
	t.Setenv("LANGFUSE_PUBLIC_KEY", "pk-lf-set")
	t.Setenv("LANGFUSE_SAMPLE_RATE", "0")
	t.Setenv("LANGFUSE_TRACING_ENABLED", "false")
	t.Setenv("PROVIDER_API_KEY", "sk-set")
	out := exampletest.Run(t, func(_ context.Context, w io.Writer) error {
		for _, name := range []string{"LANGFUSE_PUBLIC_KEY", "LANGFUSE_SAMPLE_RATE", "PROVIDER_API_KEY", "LANGFUSE_TRACING_ENABLED"} {
			_, _ = io.WriteString(w, name+"="+os.Getenv(name)+"\n")
		}
		return nil
	}, "PROVIDER_API_KEY")
	want := "LANGFUSE_PUBLIC_KEY=\nLANGFUSE_SAMPLE_RATE=\nPROVIDER_API_KEY=\nLANGFUSE_TRACING_ENABLED=true\n"
	if out != want {
		t.Errorf("the example saw\n%s\nwant\n%s", out, want)
	}
}

func TestChecks(t *testing.T) {
	const out = "answer: yes\ntrace a\ntrace b\n"
	exampletest.Shows(t, out, "answer: yes", "trace b")
	exampletest.ShowsTimes(t, out, "trace ", 2)
	exampletest.Hides(t, out, "sk-secret")

	for name, check := range map[string]func(exampletest.T){
		"Shows":      func(r exampletest.T) { exampletest.Shows(r, out, "answer: no") },
		"ShowsTimes": func(r exampletest.T) { exampletest.ShowsTimes(r, out, "trace ", 1) },
		"Hides":      func(r exampletest.T) { exampletest.Hides(r, out, "answer") },
	} {
		var r recorder
		check(&r)
		if r.errors != 1 {
			t.Errorf("%s reported %d errors for a check that does not hold, want 1", name, r.errors)
		}
	}
}

// recorder counts the errors a check reports.
type recorder struct{ errors int }

func (*recorder) Helper()                 {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }
