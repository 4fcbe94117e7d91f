package e2e_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The at-scale tests run the Collector of deploy/collector, built from
// its own nested module by scripts/build-otelcol.sh langfuse, with the
// recipe's configuration files as they are; the test sets only what the
// files read from the environment.

// otelcolBuildTimeout bounds the cold build of the at-scale Collector:
// its contrib components take several minutes on two busy cores.
const otelcolBuildTimeout = 20 * time.Minute

var langfuseCollectorBuild struct {
	once sync.Once
	bin  string
	err  error
}

// langfuseCollectorBinary builds the at-scale Collector once per test
// binary and returns its path. If that fails the test is skipped, or
// failed under CI=true.
func langfuseCollectorBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() && !inCI() {
		t.Skip("end-to-end test skipped with -short")
	}
	root := repoRoot(t)
	b := &langfuseCollectorBuild
	b.once.Do(func() {
		start := time.Now()
		b.bin, b.err = buildOtelcol(root, "langfuse", otelcolBuildTimeout)
		if b.err == nil {
			t.Logf("collector %s ready in %v", b.bin, time.Since(start).Round(time.Millisecond))
		}
	})
	if b.err != nil {
		unavailable(t, "cannot build the at-scale OpenTelemetry Collector: %v", b.err)
	}
	return b.bin
}

// otelcolProc is one running Collector of the recipe: its receiver and
// its Prometheus metrics on ports of 127.0.0.1.
type otelcolProc struct {
	name    string
	bin     string
	config  string
	env     []string
	port    int // of the receiver
	metrics int // port of the metrics
	logs    *syncBuffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// URL is the base URL applications and the load-balancing tier are
// given: the receiver listens on Langfuse's path under it.
func (c *otelcolProc) URL() string { return "http://127.0.0.1:" + strconv.Itoa(c.port) }

// startOtelcol runs the at-scale Collector with the configuration file
// deploy/collector/<config> and vars on free ports, with its queues in a
// directory of the test, waits until it is ready, and stops it when the
// test ends (printing its log if the test failed).
func startOtelcol(t testing.TB, name, config string, vars map[string]string) *otelcolProc {
	t.Helper()
	c := &otelcolProc{
		name:   name,
		bin:    langfuseCollectorBinary(t),
		config: filepath.Join(repoRoot(t), "deploy", "collector", config),
		logs:   &syncBuffer{},
	}
	storage := t.TempDir()
	var err error
	for range startAttempts {
		c.port, c.metrics = freePort(t), freePort(t)
		env := map[string]string{
			"OTELCOL_ENDPOINT":     "127.0.0.1:" + strconv.Itoa(c.port),
			"OTELCOL_METRICS_PORT": strconv.Itoa(c.metrics),
			"OTELCOL_STORAGE_DIR":  storage,
			"OTELCOL_LOG_LEVEL":    "info",
		}
		for k, v := range vars {
			env[k] = v
		}
		c.env = childEnv(env)
		if err = c.launch(); err == nil {
			t.Cleanup(func() {
				if err := c.stop(); err != nil {
					t.Errorf("%s: %v", c.name, err)
				}
				if t.Failed() {
					t.Logf("%s log:\n%s", c.name, tail(c.logs.String(), 12000))
				}
			})
			return c
		}
		if !errors.Is(err, errPortInUse) {
			break
		}
	}
	t.Fatalf("cannot start %s: %v", name, err)
	return nil
}

// launch starts the process and waits until it says it is ready and its
// receiver accepts connections.
func (c *otelcolProc) launch() error {
	cmd := exec.Command(c.bin, "--config="+c.config)
	cmd.Env = c.env
	cmd.Stdout, cmd.Stderr = c.logs, c.logs
	logStart := len(c.logs.String())
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", c.bin, err)
	}
	exited := make(chan struct{})
	c.mu.Lock()
	c.cmd, c.exited = cmd, exited
	c.mu.Unlock()
	waitErr := make(chan error, 1)
	go func() {
		waitErr <- cmd.Wait()
		close(exited)
	}()

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port))
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	retry := time.NewTicker(10 * time.Millisecond)
	defer retry.Stop()
	for {
		log := c.logs.String()[logStart:]
		if strings.Contains(log, "Everything is ready") {
			if conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				conn.Close()
				return nil
			}
		}
		select {
		case <-exited:
			if strings.Contains(log, "address already in use") {
				return fmt.Errorf("%s: %w", addr, errPortInUse)
			}
			// The exit error is nil after exit status 0, which %w would
			// print as %!w(<nil>); nothing unwraps this message.
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", c.name, <-waitErr, tail(log, 4000)) //nolint:errorlint // see above
		case <-deadline.C:
			c.kill()
			return fmt.Errorf("%s not ready on %s after %v:\n%s", c.name, addr, startTimeout, tail(log, 4000))
		case <-retry.C:
		}
	}
}

// kill ends the process with SIGKILL, as a crash or an OOM kill would:
// nothing is flushed. It returns once the process is gone.
func (c *otelcolProc) kill() {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	_ = cmd.Process.Kill()
	<-exited
}

// restart starts the process again on the same ports, with the same
// queue directory, as a supervisor would after a crash.
func (c *otelcolProc) restart(t *testing.T) {
	t.Helper()
	require.NoError(t, c.launch(), "restart %s", c.name)
}

// stop sends SIGTERM and waits for the exit; a process that is already
// gone (killed by the test) is not an error.
func (c *otelcolProc) stop() error {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	select {
	case <-exited:
		return nil
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = cmd.Process.Kill()
	}
	select {
	case <-exited:
		return nil
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("did not exit within %v of SIGTERM; killed", stopTimeout)
	}
}

// promSeries is one scrape of a Collector's own metrics: each series, as
// "name{labels}", with its value.
type promSeries map[string]float64

// scrape reads the Collector's Prometheus metrics.
func (c *otelcolProc) scrape() (promSeries, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(c.metrics)+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics of %s: %w", c.name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics of %s: %s", c.name, resp.Status)
	}
	out := promSeries{}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[line[:i]] = v
	}
	return out, sc.Err()
}

// sum adds up the series of metric name whose labels contain every one
// of labels (each as `key="value"`).
func (s promSeries) sum(name string, labels ...string) float64 {
	total := 0.0
	for series, v := range s {
		n, rest, _ := strings.Cut(series, "{")
		if n != name {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(rest, l) {
				ok = false
				break
			}
		}
		if ok {
			total += v
		}
	}
	return total
}
