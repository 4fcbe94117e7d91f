package examples_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the examples' current output")

// TestExamples runs every example without Langfuse keys, so that it
// prints its trace tree to stderr, and compares stdout and stderr, with
// durations, ids and timestamps replaced by placeholders, with
// testdata/<example>.golden.
//
// Examples are run with go run, whose executables the go command caches:
// linking a dozen programs takes seconds, and a rerun then links none.
// The first example runs alone, so that the packages all of them share
// are compiled once before the rest start in parallel. They are built
// without -race even when the test runs with it.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every example")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is needed to run the examples:", err)
	}
	names := exampleNames(t)
	require.NotEmpty(t, names)
	env := cleanEnv()
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			if i > 0 {
				t.Parallel()
			}
			stdout, stderr := runExample(t, goTool, name, env)
			assert.NotEmpty(t, stdout, "an example prints its result on stdout")
			assert.Contains(t, stderr, "\ntrace ", "without keys an example prints its trace tree to stderr")

			got := normalize(stdout, stderr)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "go test ./examples -update creates it")
			assert.Equal(t, string(want), got, "output of %s differs from %s (go test ./examples -update rewrites it)", name, golden)

			if tree := docTree(t, filepath.Join(name, "main.go")); tree != "" {
				assert.Equal(t, tree, bareTree(stderr), "the tree in the package doc of %s is not what it prints", name)
			}
		})
	}
}

// runExample runs the example in directory name with env and returns its
// stdout and stderr. It fails t unless the example exits with status 0
// in time.
func runExample(t *testing.T, goTool, name string, env []string) (stdout, stderr string) {
	t.Helper()
	// Building takes most of the time allowed; running takes milliseconds.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "run", "-ldflags=-s -w", "./"+name)
	cmd.Env = env
	// Killing the go command leaves the example running; stop waiting for
	// its output soon after.
	cmd.WaitDelay = 5 * time.Second
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	err := cmd.Run()
	require.NoError(t, err, "go run ./%s\nstdout:\n%s\nstderr:\n%s", name, outBuf.String(), errBuf.String())
	return outBuf.String(), errBuf.String()
}

// TestExampleList checks that README.md links every example and that
// every golden file belongs to one.
func TestExampleList(t *testing.T) {
	names := exampleNames(t)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, name := range names {
		assert.Contains(t, string(readme), "]("+name+"/)", "README.md does not link %s", name)
	}
	goldens, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	require.NoError(t, err)
	for _, g := range goldens {
		assert.Contains(t, names, strings.TrimSuffix(filepath.Base(g), ".golden"), "%s belongs to no example", g)
	}
}

// exampleNames returns the directories here that hold a main.go.
func exampleNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "testdata" {
			continue
		}
		if _, err := os.Stat(filepath.Join(e.Name(), "main.go")); err == nil {
			names = append(names, e.Name())
		}
	}
	return names
}

// cleanEnv is this process's environment, which the go command needs,
// without LANGFUSE_* variables, so that examples print to the console
// instead of sending anywhere, and without OTEL_* variables, which the
// OpenTelemetry SDK reads.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LANGFUSE_") || strings.HasPrefix(kv, "OTEL_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

var (
	// logTime is the date and time the standard logger puts first.
	logTime = regexp.MustCompile(`(?m)^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? `)
	// duration is a span's duration, or a generation's time to first
	// token, on its line in the tree.
	duration = regexp.MustCompile(`(  |ttft=)\d+(\.\d+)?(ns|µs|ms|s)\b`)
	traceID  = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	spanID   = regexp.MustCompile(`\b[0-9a-f]{16}\b`)
	loopback = regexp.MustCompile(`\b127\.0\.0\.1:\d+\b`)
)

// normalize returns stdout and stderr as a golden file holds them, with
// what changes from run to run replaced. Ids are numbered in order of
// first appearance across both, so the golden file still shows which
// lines share a trace or a span.
func normalize(stdout, stderr string) string {
	ids := map[string]string{}
	number := func(re *regexp.Regexp, kind, s string) string {
		return re.ReplaceAllStringFunc(s, func(id string) string {
			if ids[id] == "" {
				n := 1
				for _, v := range ids {
					if strings.HasPrefix(v, "<"+kind+"-") {
						n++
					}
				}
				ids[id] = fmt.Sprintf("<%s-%d>", kind, n)
			}
			return ids[id]
		})
	}
	var b strings.Builder
	for _, part := range []struct{ name, text string }{{"stdout", stdout}, {"stderr", stderr}} {
		s := logTime.ReplaceAllString(part.text, "<time> ")
		s = duration.ReplaceAllString(s, "$1<dur>")
		s = loopback.ReplaceAllString(s, "127.0.0.1:<port>")
		s = number(traceID, "trace", s)
		s = number(spanID, "span", s)
		b.WriteString("-- " + part.name + " --\n")
		b.WriteString(s)
		if s != "" && !strings.HasSuffix(s, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// docTree returns the trace tree shown in the package doc of the file at
// path, without the comment markers and with its trace id replaced, or ""
// when the doc shows none.
func docTree(t *testing.T, path string) string {
	t.Helper()
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	var lines []string
	for _, line := range strings.Split(string(src), "\n") {
		if line == "package main" {
			break
		}
		switch text, ok := strings.CutPrefix(line, "//\t"); {
		case ok && (len(lines) > 0 || strings.HasPrefix(text, "trace ")):
			lines = append(lines, text)
		case len(lines) > 0:
			return bareTree(strings.Join(lines, "\n") + "\n")
		}
	}
	return ""
}

// docTraceHeader is the first line of a tree, whose id a doc comment
// abbreviates.
var docTraceHeader = regexp.MustCompile(`(?m)^trace \S+`)

// bareTree returns the trace trees in s without log lines, durations or
// trace ids, as a doc comment shows them.
func bareTree(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if logTime.MatchString(line) {
			continue
		}
		lines = append(lines, line)
	}
	s = strings.Join(lines, "\n")
	s = duration.ReplaceAllString(s, "")
	return docTraceHeader.ReplaceAllString(s, "trace <id>")
}
