package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The credentials the collector accepts (see e2e/otelcol/config.tmpl.yaml).
const (
	testPublicKey = "pk-lf-test"
	testSecretKey = "sk-lf-test"
)

// modulePath identifies the repository root when walking up from the
// test's working directory.
const modulePath = "github.com/observe-go/langfuse"

var moduleLine = regexp.MustCompile(`(?m)^module\s+` + regexp.QuoteMeta(modulePath) + `\s*$`)

const (
	// startTimeout bounds how long the collector may take to accept
	// connections.
	startTimeout = 10 * time.Second
	// stopTimeout bounds how long the collector may take to flush and exit
	// after SIGTERM.
	stopTimeout = 10 * time.Second
	// startAttempts is how often a collector is started on a fresh port
	// when the one picked was taken in the meantime.
	startAttempts = 3
)

// inCI reports whether the tests run in CI, where a missing collector is a
// failure rather than a reason to skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// unavailable skips the test, or fails it under CI=true.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if inCI() {
		t.Fatalf("%s (CI=true: not skipping)", msg)
	}
	t.Skipf("%s; skipping the end-to-end test (set CI=true to make this a failure)", msg)
}

// repoRoot returns the root of the module: the nearest directory above the
// working directory whose go.mod declares modulePath.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && moduleLine.Match(b) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod of %s above the working directory", modulePath)
		}
		dir = parent
	}
}

var collectorBuild struct {
	once sync.Once
	bin  string
	err  error
}

// collectorBinary builds the collector once per test binary with
// scripts/build-otelcol.sh e2e and returns its path. If that fails the
// test is skipped, or failed under CI=true.
func collectorBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() && !inCI() {
		t.Skip("end-to-end test skipped with -short")
	}
	root := repoRoot(t)
	b := &collectorBuild
	b.once.Do(func() {
		start := time.Now()
		b.bin, b.err = buildOtelcol(root, "e2e", 5*time.Minute)
		if b.err == nil {
			t.Logf("collector %s ready in %v", b.bin, time.Since(start).Round(time.Millisecond))
		}
	})
	if b.err != nil {
		unavailable(t, "cannot build the OpenTelemetry Collector: %v", b.err)
	}
	return b.bin
}

// buildOtelcol runs scripts/build-otelcol.sh for the Collector name (e2e
// or langfuse), which prints the path of the binary it built as its last
// line, and returns that path.
func buildOtelcol(root, name string, timeout time.Duration) (string, error) {
	script := filepath.Join(root, "scripts", "build-otelcol.sh")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script, name)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if out := strings.TrimSpace(stderr.String()); out != "" {
			return "", fmt.Errorf("%s %s: %w\n%s", script, name, err, tail(out, 4000))
		}
		return "", fmt.Errorf("%s %s: %w", script, name, err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	bin := strings.TrimSpace(lines[len(lines)-1])
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() {
		return "", fmt.Errorf("%s %s printed %q, not a binary", script, name, bin)
	}
	return bin, nil
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// collector is one running OpenTelemetry Collector that writes what it
// receives to a file.
type collector struct {
	// URL is the base URL to give the SDK, without a trailing slash.
	URL string
	// Output is the file the collector writes, one export request per line.
	Output string

	cmd    *exec.Cmd
	logs   *syncBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // the process's exit error, set before exited closes

	stopOnce sync.Once
}

// errPortInUse means the collector could not bind the port it was given.
var errPortInUse = errors.New("port already in use")

// startCollector starts a collector on a free port of 127.0.0.1 and waits
// until it accepts connections. It is stopped when the test ends, and its
// log is printed if the test failed.
func startCollector(t *testing.T) *collector {
	t.Helper()
	bin := collectorBinary(t)
	config := filepath.Join(repoRoot(t), "e2e", "otelcol", "config.tmpl.yaml")
	dir := t.TempDir()
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var c *collector
		output := filepath.Join(dir, fmt.Sprintf("traces-%d.jsonl", attempt))
		c, err = launchCollector(bin, config, freePort(t), output)
		if err == nil {
			t.Cleanup(func() {
				if err := c.stop(); err != nil {
					t.Errorf("collector: %v", err)
				}
				if t.Failed() {
					t.Logf("collector log:\n%s", tail(c.logs.String(), 16000))
				}
			})
			return c
		}
		if !errors.Is(err, errPortInUse) {
			break
		}
	}
	t.Fatalf("cannot start the collector: %v", err)
	return nil
}

// launchCollector runs the collector on port and waits until it is ready.
func launchCollector(bin, config string, port int, output string) (*collector, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c := &collector{
		URL:    "http://" + addr,
		Output: output,
		logs:   &syncBuffer{},
		exited: make(chan struct{}),
	}
	c.cmd = exec.Command(bin, "--config="+config)
	c.cmd.Env = append(os.Environ(),
		"OTELCOL_PORT="+strconv.Itoa(port),
		"OTELCOL_OUTPUT="+output,
		// Readiness is read from the info-level log.
		"OTELCOL_LOG_LEVEL=info",
		"OTELCOL_DEBUG_VERBOSITY=basic",
	)
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()

	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	retry := time.NewTicker(10 * time.Millisecond)
	defer retry.Stop()
	for {
		// Ready means the receiver accepts connections and the collector
		// says it has started everything: a connection alone could reach
		// another process that holds the port.
		if conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			conn.Close()
			if strings.Contains(c.logs.String(), "Everything is ready") {
				return c, nil
			}
		}
		select {
		case <-c.exited:
			log := c.logs.String()
			if strings.Contains(log, "address already in use") {
				return nil, fmt.Errorf("%s: %w", addr, errPortInUse)
			}
			// c.err is nil after exit status 0, which %w would print as
			// %!w(<nil>); nothing unwraps this message.
			return nil, fmt.Errorf("collector exited before it was ready (%v):\n%s", c.err, tail(log, 4000)) //nolint:errorlint // see above
		case <-deadline.C:
			_ = c.stop() // the error is this one
			return nil, fmt.Errorf("collector not ready on %s after %v:\n%s", addr, startTimeout, tail(c.logs.String(), 4000))
		case <-retry.C:
		}
	}
}

// stop sends SIGTERM, on which the collector flushes its file and exits,
// and waits for the exit. A collector that exited before it was told to is
// an error too. Later calls return at once.
func (c *collector) stop() error {
	var err error
	c.stopOnce.Do(func() {
		select {
		case <-c.exited:
			// %v as above: c.err is nil after exit status 0.
			err = fmt.Errorf("collector exited on its own: %v", c.err) //nolint:errorlint // see above
			return
		default:
		}
		if sigErr := c.cmd.Process.Signal(syscall.SIGTERM); sigErr != nil {
			// No SIGTERM on this platform, or the process just exited.
			_ = c.cmd.Process.Kill()
		}
		select {
		case <-c.exited:
		case <-time.After(stopTimeout):
			_ = c.cmd.Process.Kill()
			<-c.exited
			err = fmt.Errorf("collector did not exit within %v of SIGTERM; killed", stopTimeout)
		}
	})
	return err
}

// spans stops the collector once everything it received is in its file,
// and returns the spans in the file.
func (c *collector) spans(t *testing.T) []span {
	t.Helper()
	c.settle(t)
	require.NoError(t, c.stop())
	return readSpans(t, c.Output)
}

// receivedRE matches the count of spans in the debug exporter's log line
// for each batch the collector received; "resource spans" does not match.
var receivedRE = regexp.MustCompile(`"spans": (\d+)`)

// settleTimeout bounds how long settle waits for the file exporter.
const settleTimeout = 10 * time.Second

// settle waits until the collector's file holds as many spans as its
// debug exporter logged as received. The file exporter writes on its own
// schedule (flush_interval), and on a loaded machine a stop that comes
// right after the last export was seen to leave the last batch out of
// the file; the log line and the file are the collector's own record of
// what it received, so the wait ends on what it says, not on a guess.
func (c *collector) settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for {
		want := 0
		for _, m := range receivedRE.FindAllStringSubmatch(c.logs.String(), -1) {
			n, _ := strconv.Atoi(m[1])
			want += n
		}
		got := spansWritten(c.Output)
		if got >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("the collector logged %d spans received, its file holds %d after %v", want, got, settleTimeout)
			return
		}
		// Polling the file of another process: there is nothing to
		// wait on but the file itself.
		time.Sleep(10 * time.Millisecond)
	}
}

// spansWritten counts the spans in the complete lines of the file at
// path; a line still being written is not counted.
func spansWritten(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n := 0
	for {
		line, rest, found := bytes.Cut(b, []byte("\n"))
		if !found {
			return n
		}
		b = rest
		var req exportTraceRequest
		if json.Unmarshal(line, &req) != nil {
			continue
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				n += len(ss.Spans)
			}
		}
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
