package e2e_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

// The two applications of the at-scale test are this test binary run
// again as a child process, in TestScaleAppProcess: service A (the front)
// answers GET /work by planning and calling service B over HTTP with the
// W3C traceparent; B answers GET /step through an agent, a tool and, three
// observations deep, the tool's call, which fails when asked to. The tool
// falls back and B answers 200, so the only error of such a trace is deep
// inside B: the gateway keeps the trace only if it sees both processes'
// spans together.

// scaleAppEnv names the role of the child process ("a" or "b"); unset, the
// test is not a child and TestScaleAppProcess returns at once.
const scaleAppEnv = "LANGFUSE_E2E_SCALE_APP"

// The spans of one trace, by service, as the applications make them.
var scaleSpans = map[string][]string{
	"scale-a": {"a /work", "a/plan", "a/call-b"},
	"scale-b": {"b /step", "b/agent", "b/tool", "b/tool/call"},
}

// scaleSpansPerTrace is the number of spans of one whole trace.
const scaleSpansPerTrace = 7

// errToolFailed is the failure deep inside service B.
var errToolFailed = errors.New("tool failed")

// TestScaleAppProcess is one application of the at-scale test when run as
// a child process (LANGFUSE_E2E_SCALE_APP set); otherwise it does nothing.
func TestScaleAppProcess(t *testing.T) {
	role := os.Getenv(scaleAppEnv)
	if role == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	lf, err := langfuse.New()
	if err != nil {
		t.Fatalf("langfuse.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /flush", func(w http.ResponseWriter, r *http.Request) {
		if err := lf.Flush(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	switch role {
	case "a":
		mux.Handle("GET /work", langfuse.ObserveHandler("a /work", serviceA(os.Getenv("SCALE_B_URL"))))
	case "b":
		mux.Handle("GET /step", langfuse.ObserveHandler("b /step", serviceB()))
	default:
		t.Fatalf("unknown role %q", role)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	fmt.Printf("LISTEN %s\n", l.Addr())

	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if err := lf.Shutdown(sctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// serviceA plans, then calls B and answers with the trace id.
func serviceA(b string) http.Handler {
	client := &http.Client{Timeout: 30 * time.Second}
	plan := langfuse.Observe1("a/plan", func(_ context.Context, i string) (string, error) {
		return "plan " + i, nil
	})
	callB := langfuse.Observe1("a/call-b", func(ctx context.Context, fail string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b+"/step?fail="+url.QueryEscape(fail), nil)
		if err != nil {
			return "", err
		}
		langfuse.InjectHTTP(ctx, req.Header)
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("service b answered %s", resp.Status)
		}
		return string(body), err
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if _, err := plan(ctx, r.URL.Query().Get("i")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if _, err := callB(ctx, r.URL.Query().Get("fail")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, observe.TraceID(ctx))
	})
}

// serviceB runs an agent whose tool call fails when asked to; the tool
// falls back, so B answers 200 either way.
func serviceB() http.Handler {
	call := langfuse.Observe1("b/tool/call", func(_ context.Context, fail bool) (string, error) {
		if fail {
			return "", errToolFailed
		}
		return "result", nil
	})
	tool := langfuse.Observe1("b/tool", func(ctx context.Context, fail bool) (string, error) {
		out, err := call(ctx, fail)
		if err != nil {
			return "fallback", nil
		}
		return out, nil
	})
	agent := langfuse.Observe1("b/agent", func(ctx context.Context, fail bool) (string, error) {
		return tool(ctx, fail)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := agent(r.Context(), r.URL.Query().Get("fail") == "1")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, out)
	})
}

// scaleApp is one application process started by the test.
type scaleApp struct {
	URL  string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// startScaleApp runs this test binary as the application role, with the
// LANGFUSE_* environment vars (and nothing inherited), and waits until it
// listens. It is stopped with SIGTERM, which flushes it, when the test
// ends.
func startScaleApp(t *testing.T, role string, vars map[string]string) *scaleApp {
	t.Helper()
	env := map[string]string{scaleAppEnv: role}
	for k, v := range vars {
		env[k] = v
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleAppProcess$", "-test.count=1")
	cmd.Env = childEnv(env)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	app := &scaleApp{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = app.logs
	require.NoError(t, cmd.Start())

	addr := make(chan string, 1)
	go func() {
		defer close(app.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "LISTEN "); ok {
				addr <- a
				continue
			}
			_, _ = app.logs.Write([]byte(line + "\n"))
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-app.done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-app.done
			t.Errorf("app %s did not exit within 30s of SIGTERM", role)
		}
		if t.Failed() {
			t.Logf("app %s output:\n%s", role, tail(app.logs.String(), 8000))
		}
	})
	select {
	case a := <-addr:
		app.URL = "http://" + a
	case <-app.done:
		t.Fatalf("app %s exited before listening:\n%s", role, tail(app.logs.String(), 4000))
	case <-time.After(30 * time.Second):
		t.Fatalf("app %s not listening after 30s:\n%s", role, tail(app.logs.String(), 4000))
	}
	return app
}

// flush makes the application export everything it has ended; it returns
// once the load-balancing tier has accepted it.
func (a *scaleApp) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL+"/flush", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "flush: %s", body)
}

// scaleRun is the traces one run sent: trace id to whether it failed.
type scaleRun map[string]bool

// drive sends n requests to service A from workers goroutines, every
// failEvery-th of them failing inside B, and returns the trace ids.
func drive(t *testing.T, a *scaleApp, n, failEvery, workers int) scaleRun {
	t.Helper()
	client := &http.Client{Timeout: 60 * time.Second}
	var (
		mu   sync.Mutex
		run  = scaleRun{}
		errs []error
	)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fail, flag := i%failEvery == 0, "0"
				if fail {
					flag = "1"
				}
				id, err := get(client, fmt.Sprintf("%s/work?i=%d&fail=%s", a.URL, i, flag))
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					run[id] = fail
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	require.Empty(t, errs, "requests to service A")
	require.Len(t, run, n, "distinct trace ids")
	for id := range run {
		require.Regexp(t, traceIDPattern, id)
	}
	return run
}

func get(client *http.Client, u string) (string, error) {
	resp, err := client.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s: %s", u, resp.Status, body)
	}
	return string(body), nil
}
