package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const wrongMain = `package main

import (
	"context"

	"github.com/observe-go/langfuse"
)

func llm(ctx context.Context, q string) (string, error) { return q, nil }

var answer = langfuse.Observe1("answer", func(ctx context.Context, q string) (string, error) {
	return llm(context.Background(), q)
})

func main() {
	client, err := langfuse.New()
	if err != nil {
		panic(err)
	}
	defer client.Shutdown(context.Background())
	_, _ = answer(context.Background(), "q")
}
`

const wantReport = "main.go:12:13: pass ctx instead of context.Background()"

// TestCommand builds the command and runs it, on a module that uses the
// library (the analyzer tests' stubs, made a module), both as go vet's
// tool and on its own: each reports the mistake and fails, and each passes
// once it is fixed.
func TestCommand(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build and vet: %v", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "observevet")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	lib := filepath.Join(dir, "langfuse")
	stubs := filepath.Join("..", "..", "testdata", "src", "github.com", "observe-go", "langfuse")
	copyFile(t, filepath.Join(stubs, "langfuse.go"), filepath.Join(lib, "langfuse.go"))
	copyFile(t, filepath.Join(stubs, "observe", "observe.go"), filepath.Join(lib, "observe", "observe.go"))
	writeFile(t, filepath.Join(lib, "go.mod"), "module github.com/observe-go/langfuse\n\ngo 1.25.0\n")

	app := filepath.Join(dir, "app")
	writeFile(t, filepath.Join(app, "go.mod"), "module example.com/app\n\ngo 1.25.0\n\n"+
		"require github.com/observe-go/langfuse v0.0.0\n\n"+
		"replace github.com/observe-go/langfuse => ../langfuse\n")
	writeFile(t, filepath.Join(app, "main.go"), wrongMain)

	run := func(name string, args ...string) (string, int) {
		cmd := exec.Command(name, args...)
		cmd.Dir = app
		// Everything is on disk: nothing may be fetched.
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		return string(out), 0
	}

	out, code := run(goBin, "vet", "-vettool="+bin, "./...")
	if code == 0 || !strings.Contains(out, wantReport) {
		t.Errorf("go vet -vettool: exit %d, want a failure reporting %q; output:\n%s", code, wantReport, out)
	}
	out, code = run(bin, "./...")
	if code != 3 || !strings.Contains(out, wantReport) {
		t.Errorf("observevet ./...: exit %d, want 3 and %q; output:\n%s", code, wantReport, out)
	}

	writeFile(t, filepath.Join(app, "main.go"), strings.Replace(wrongMain, "llm(context.Background(), q)", "llm(ctx, q)", 1))
	if out, code := run(goBin, "vet", "-vettool="+bin, "./..."); code != 0 {
		t.Errorf("go vet -vettool on fixed code: exit %d, want 0; output:\n%s", code, out)
	}
	if out, code := run(bin, "./..."); code != 0 {
		t.Errorf("observevet on fixed code: exit %d, want 0; output:\n%s", code, out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
