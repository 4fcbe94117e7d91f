// Package exampletest runs an example of the integrations module the way
// its test does, and checks what it printed. It is imported by the
// examples' tests only: each example's main.go stands on its own, with
// nothing of this package in it.
package exampletest

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// Run runs an example's run function and returns what it wrote to w:
// the answers, and the trace tree, which it prints rather than sends
// because Run sets every LANGFUSE_* variable of the environment, and
// each of unset (a provider's key, base URL or host), to "", with
// tracing on. The test fails when run returns an error.
func Run(t *testing.T, run func(ctx context.Context, w io.Writer) error, unset ...string) string {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "LANGFUSE_") {
			t.Setenv(name, "")
		}
	}
	for _, name := range unset {
		t.Setenv(name, "")
	}
	t.Setenv("LANGFUSE_TRACING_ENABLED", "true")

	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// T is what the checks report to: a *testing.T.
type T interface {
	Helper()
	Errorf(format string, args ...any)
}

// Shows fails the test for each of wants that out does not hold,
// showing out.
func Shows(t T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s\n%s", want, out)
		}
	}
}

// ShowsTimes fails the test unless out holds s n times.
func ShowsTimes(t T, out, s string, n int) {
	t.Helper()
	if got := strings.Count(out, s); got != n {
		t.Errorf("%q shows %d times, want %d\n%s", s, got, n, out)
	}
}

// Hides fails the test for each of secrets that out shows.
func Hides(t T, out string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(out, secret) {
			t.Errorf("%s was printed\n%s", secret, out)
		}
	}
}
