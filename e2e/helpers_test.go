package e2e_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
)

// setLangfuseEnv makes vars the whole LANGFUSE_* environment of the test:
// variables inherited from the outside are unset, so that they cannot
// change what the test checks. Everything is restored when the test ends.
func setLangfuseEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "LANGFUSE_") {
			t.Setenv(name, "") // registers the restore
			require.NoError(t, os.Unsetenv(name))
		}
	}
	if _, ok := vars["LANGFUSE_TIMEOUT"]; !ok {
		// A loaded CI machine running every package at once under -race
		// can take seconds to answer; tests about timeouts set their own.
		t.Setenv("LANGFUSE_TIMEOUT", "30")
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

// newClient makes the client the test's instrumented code records with,
// configured by the environment and opts. The test shuts it down to check
// what was exported; should the test stop early, it is shut down when the
// test ends, so that it is not left as the default client.
func newClient(t *testing.T, opts ...langfuse.Option) *langfuse.Client {
	t.Helper()
	lf, err := langfuse.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = lf.Shutdown(ctx)
	})
	return lf
}

// shutdown shuts lf down within 10 seconds and returns how long it took.
func shutdown(t *testing.T, lf *langfuse.Client) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, lf.Shutdown(ctx))
	return time.Since(start)
}

// childEnv returns the process environment without LANGFUSE_* variables,
// plus vars, for a program the test runs.
func childEnv(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LANGFUSE_") {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// logRecorder is an slog logger that keeps what the client logs at info
// level and above, as JSON lines.
type logRecorder struct {
	buf syncBuffer
}

func (r *logRecorder) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(&r.buf, nil))
}

// logRecord is the part of one log line the tests look at.
type logRecord struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
}

// records returns every record logged so far.
func (r *logRecorder) records(t *testing.T) []logRecord {
	t.Helper()
	var out []logRecord
	for _, line := range strings.Split(r.buf.String(), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var rec logRecord
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "log line %q", line)
		out = append(out, rec)
	}
	return out
}

// matching returns the records whose message contains substr.
func (r *logRecorder) matching(t *testing.T, substr string) []logRecord {
	t.Helper()
	var out []logRecord
	for _, rec := range r.records(t) {
		if strings.Contains(rec.Msg, substr) {
			out = append(out, rec)
		}
	}
	return out
}

// String returns the whole log, for failure messages.
func (r *logRecorder) String() string { return r.buf.String() }

var (
	traceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	spanIDPattern  = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// requireWellFormedIDs checks that every span has a trace id of 32 and a
// span id of 16 lowercase hex digits, and a parent id of 16 when it has
// one.
func requireWellFormedIDs(t *testing.T, spans []span) {
	t.Helper()
	for _, s := range spans {
		require.Regexp(t, traceIDPattern, s.TraceID, "trace id of %q", s.Name)
		require.Regexp(t, spanIDPattern, s.SpanID, "span id of %q", s.Name)
		if s.ParentSpanID != "" {
			require.Regexp(t, spanIDPattern, s.ParentSpanID, "parent id of %q", s.Name)
		}
	}
}
