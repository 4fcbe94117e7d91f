package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/tracing"
)

// runSmallScenario runs three nested wrappers and a generation, checks
// that the wrapped code's results come back unchanged, and returns the
// names of the observations it made.
func runSmallScenario(t *testing.T) []string {
	t.Helper()
	check := langfuse.ObserveErr("check", func(ctx context.Context) error { return nil })
	lookup := langfuse.Observe1("lookup", func(ctx context.Context, q string) (int, error) {
		return len(q), check(ctx)
	})
	handle := langfuse.ObserveCtx("handle", func(ctx context.Context) (string, error) {
		n, err := lookup(ctx, "hello")
		_, g := observe.Start(ctx, "model", observe.AsType(observe.TypeGeneration), observe.WithModel("m"))
		g.End(observe.WithOutput("ok"))
		return strconv.Itoa(n), err
	}, observe.AsType(observe.TypeAgent))

	got, err := handle(context.Background())
	require.NoError(t, err)
	require.Equal(t, "5", got)
	return []string{"handle", "lookup", "check", "model"}
}

// TestTransport sends spans with and without gzip, immediately and in
// batches, through a proxy that records the requests, and checks that
// every span arrives and every request carries the Langfuse headers.
func TestTransport(t *testing.T) {
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testPublicKey+":"+testSecretKey))
	for _, gz := range []bool{false, true} {
		for _, mode := range []string{"immediate", "batched"} {
			t.Run(fmt.Sprintf("gzip=%t/%s", gz, mode), func(t *testing.T) {
				c := startCollector(t)
				p := startProxy(t, c.URL)
				setLangfuseEnv(t, map[string]string{
					"LANGFUSE_PUBLIC_KEY":  testPublicKey,
					"LANGFUSE_SECRET_KEY":  testSecretKey,
					"LANGFUSE_BASE_URL":    p.URL,
					"LANGFUSE_EXPORT_GZIP": strconv.FormatBool(gz),
					"LANGFUSE_EXPORT_MODE": mode,
					// Long enough that a batch goes out only at Shutdown.
					"LANGFUSE_FLUSH_INTERVAL": "60",
				})
				var logs logRecorder
				lf := newClient(t, langfuse.WithLogger(logs.logger()))
				want := runSmallScenario(t)
				shutdown(t, lf)

				reqs := p.requests()
				assert.ElementsMatch(t, want, names(c.spans(t)), "spans received")
				if mode == "immediate" {
					assert.Len(t, reqs, len(want), "one request per span")
				} else {
					assert.Len(t, reqs, 1, "one batch")
				}
				for i, r := range reqs {
					assert.Equal(t, http.MethodPost, r.Method, "request %d", i)
					assert.Equal(t, "/api/public/otel/v1/traces", r.Path, "request %d", i)
					assert.Equal(t, http.StatusOK, r.Status, "request %d", i)
					assert.Equal(t, wantAuth, r.Header.Get("Authorization"), "request %d", i)
					assert.NotEmpty(t, r.Header.Get("X-Langfuse-Sdk-Name"), "request %d", i)
					assert.Equal(t, langfuse.Version, r.Header.Get("X-Langfuse-Sdk-Version"), "request %d", i)
					assert.Equal(t, testPublicKey, r.Header.Get("X-Langfuse-Public-Key"), "request %d", i)
					assert.Equal(t, "4", r.Header.Get("X-Langfuse-Ingestion-Version"), "request %d", i)
					assert.Equal(t, "application/x-protobuf", r.Header.Get("Content-Type"), "request %d", i)
					isGzip := bytes.HasPrefix(r.Body, []byte{0x1f, 0x8b})
					if gz {
						assert.Equal(t, "gzip", r.Header.Get("Content-Encoding"), "request %d", i)
						if assert.True(t, isGzip, "request %d: body is gzip", i) {
							zr, err := gzip.NewReader(bytes.NewReader(r.Body))
							require.NoError(t, err)
							raw, err := io.ReadAll(zr)
							require.NoError(t, err)
							assert.NotEmpty(t, raw, "request %d: protobuf inside", i)
						}
					} else {
						assert.Empty(t, r.Header.Get("Content-Encoding"), "request %d", i)
						assert.False(t, isGzip, "request %d: body is not compressed", i)
					}
				}
				assert.Empty(t, logs.String(), "nothing to report")
			})
		}
	}
}

// exportModes are the export modes the failure tests run in: immediate
// mode exports on the goroutine that ends the span; batched mode with
// batches of one span makes several exports in the background.
var exportModes = []struct {
	name string
	env  map[string]string
}{
	{"immediate", map[string]string{"LANGFUSE_EXPORT_MODE": "immediate"}},
	{"batched", map[string]string{"LANGFUSE_EXPORT_MODE": "batched", "LANGFUSE_FLUSH_AT": "1"}},
}

// shutdownRefused shuts lf down within 10 seconds, as shutdown does, when
// the backend refuses every export: Shutdown returns the export error of
// kind when spans were still queued for it to export, and no other error.
func shutdownRefused(t *testing.T, lf *langfuse.Client, kind string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err := lf.Shutdown(ctx)
	took := time.Since(start)
	if err != nil {
		var ee *tracing.ExportError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, kind, ee.Kind)
	}
	return took
}

// TestWrongSecretKey checks that keys the server rejects leave the
// instrumented code alone and produce one clear log line that names the
// variables to fix, however many exports fail.
func TestWrongSecretKey(t *testing.T) {
	for _, mode := range exportModes {
		t.Run(mode.name, func(t *testing.T) {
			c := startCollector(t)
			p := startProxy(t, c.URL)
			env := map[string]string{
				"LANGFUSE_PUBLIC_KEY": testPublicKey,
				"LANGFUSE_SECRET_KEY": "wrong",
				"LANGFUSE_BASE_URL":   p.URL,
			}
			for k, v := range mode.env {
				env[k] = v
			}
			setLangfuseEnv(t, env)
			var logs logRecorder
			lf := newClient(t, langfuse.WithLogger(logs.logger()))
			for range 3 {
				runSmallScenario(t)
			}
			shutdownRefused(t, lf, "unauthorized")

			reqs := p.requests()
			require.GreaterOrEqual(t, len(reqs), 2, "several exports")
			for i, r := range reqs {
				assert.Equal(t, http.StatusUnauthorized, r.Status, "request %d", i)
			}
			recs := logs.matching(t, "(401)")
			require.Len(t, recs, 1, "one message for %d failed exports; log:\n%s", len(reqs), logs.String())
			assert.Equal(t, "WARN", recs[0].Level)
			assert.Contains(t, recs[0].Msg, "LANGFUSE_PUBLIC_KEY")
			assert.Contains(t, recs[0].Msg, "LANGFUSE_SECRET_KEY")
			assert.Empty(t, c.spans(t), "the collector accepted nothing")
		})
	}
}

// TestUnreachableServer checks that a server that refuses connections
// leaves the instrumented code alone, that Shutdown still returns in time,
// and that the log says once that the server cannot be reached.
func TestUnreachableServer(t *testing.T) {
	for _, mode := range exportModes {
		t.Run(mode.name, func(t *testing.T) {
			env := map[string]string{
				"LANGFUSE_PUBLIC_KEY": testPublicKey,
				"LANGFUSE_SECRET_KEY": testSecretKey,
				// Nothing listens there any more.
				"LANGFUSE_BASE_URL": "http://127.0.0.1:" + strconv.Itoa(freePort(t)),
				// How long each export retries the refused connection,
				// in immediate mode on the goroutine that ends the span.
				"LANGFUSE_TIMEOUT": "0.2",
			}
			for k, v := range mode.env {
				env[k] = v
			}
			setLangfuseEnv(t, env)
			var logs logRecorder
			lf := newClient(t, langfuse.WithLogger(logs.logger()))
			for range 3 {
				runSmallScenario(t)
			}
			took := shutdownRefused(t, lf, "unreachable")
			assert.Less(t, took, 10*time.Second, "Shutdown is bounded by its context")

			recs := logs.matching(t, "cannot reach")
			require.Len(t, recs, 1, "log:\n%s", logs.String())
			assert.Equal(t, "WARN", recs[0].Level)
			assert.Contains(t, recs[0].Msg, "LANGFUSE_BASE_URL")
		})
	}
}
