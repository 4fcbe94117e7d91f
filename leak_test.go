package langfuse_test

import (
	"context"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// leakServer is a stand-in for Langfuse on 127.0.0.1 that answers every
// export with status, or, with status 0, holds it until the test ends.
func leakServer(t *testing.T, status int) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if status == 0 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv
}

// useClient records through every kind of wrapper and a manual
// observation, so that every part of the client has run.
func useClient(t *testing.T, lf *langfuse.Client) {
	t.Helper()
	inner := langfuse.Observe1("inner", func(_ context.Context, s string) (string, error) { return s + "!", nil })
	outer := langfuse.ObserveCtx("outer", func(ctx context.Context) (string, error) {
		_, o := observe.Start(ctx, "manual", observe.AsType(observe.TypeGeneration), observe.WithModel("m"))
		o.End(observe.WithOutput("done"))
		return inner(ctx, "hi")
	})
	stream := langfuse.ObserveSeq("stream", func(context.Context, int) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) { _ = yield(1, nil) && yield(2, nil) }
	})
	for range 20 {
		got, err := outer(context.Background())
		require.NoError(t, err)
		require.Equal(t, "hi!", got)
		for _, err := range stream(context.Background(), 1) {
			require.NoError(t, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = lf.Flush(ctx) // an export error is the failing server's, not a leak
}

// TestNoGoroutineLeakAfterShutdown checks that once Shutdown has returned
// no goroutine of the client is left: in batched and immediate mode,
// printing to the console, exporting with the caller's exporter, and
// sending to a server that answers, one that fails, and one that never
// answers, where Shutdown gives up at its deadline.
func TestNoGoroutineLeakAfterShutdown(t *testing.T) {
	ok := leakServer(t, http.StatusOK)
	failing := leakServer(t, http.StatusBadRequest)
	hanging := leakServer(t, 0)
	quiet := slog.New(slog.DiscardHandler)

	cases := []struct {
		name     string
		base     string // Langfuse base URL; "" for none
		exporter bool   // WithSpanExporter
		deadline time.Duration
		wantErr  bool
	}{
		{name: "console"},
		{name: "span exporter", exporter: true},
		{name: "server", base: ok.URL},
		{name: "failing server", base: failing.URL},
		// Shutdown gives up after its deadline; the export it abandoned
		// must not live on. Last, so that should it live on it cannot
		// be taken for a leak of another case.
		{name: "hanging server", base: hanging.URL, deadline: 500 * time.Millisecond, wantErr: true},
	}
	for _, s := range cases {
		for _, mode := range []config.ExportMode{config.ExportBatched, config.ExportImmediate} {
			if s.wantErr && mode == config.ExportImmediate {
				continue // nothing is queued: the held export is a caller's own goroutine
			}
			t.Run(s.name+"/"+string(mode), func(t *testing.T) {
				before := goleak.IgnoreCurrent()
				cfg := config.Default()
				cfg.ExportMode = mode
				cfg.Timeout = 2 * time.Second
				cfg.FlushAt = 8
				opts := []langfuse.Option{langfuse.WithLogger(quiet), langfuse.WithConsoleWriter(io.Discard)}
				if s.base != "" {
					cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-test", "sk-lf-test", s.base
				}
				if s.exporter {
					opts = append(opts, langfuse.WithSpanExporter(langfusetest.NewRecorder()))
				}
				lf, err := langfuse.New(append(opts, langfuse.WithConfig(cfg))...)
				require.NoError(t, err)
				if s.deadline > 0 {
					// Spans still queued and an export the server holds.
					for range 3 * cfg.FlushAt {
						_, o := observe.Start(context.Background(), "queued")
						o.End()
					}
				} else {
					useClient(t, lf)
				}

				deadline := s.deadline
				if deadline == 0 {
					deadline = 10 * time.Second
				}
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				defer cancel()
				err = lf.Shutdown(ctx)
				if s.wantErr {
					assert.Error(t, err)
				} else {
					require.NoError(t, err)
				}
				// The exporter shares http.DefaultTransport, whose idle
				// keep-alive connections (a read and a write goroutine each)
				// belong to the process, not to the client: they are reused
				// by anyone who sends to the same host. Closing them is what
				// the owner of the transport does; a connection still in use
				// is not idle and stays, and is reported.
				http.DefaultTransport.(*http.Transport).CloseIdleConnections()
				goleak.VerifyNone(t, before)
			})
		}
	}
}
