package tracing_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/spantest"
	"github.com/observe-go/langfuse/tracing"
)

// TestFlushReturnsUnderSteadyLoad checks that ForceFlush exports what was
// queued when it was called and returns, while a producer ends a span for
// every span exported, so the queue never empties.
func TestFlushReturnsUnderSteadyLoad(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.FlushAt = 8
	cfg.MaxQueueSize = 256
	cfg.FlushInterval = time.Hour
	const limit = 20000
	exp := spantest.NewPacedExporter(limit)
	p := tracing.NewExportProcessor(cfg, exp)
	tp := provider(cfg, p)
	tr := tracing.Tracer(tp)
	end := func() {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	for range 3 * cfg.FlushAt { // full batches, queued before the producer starts
		end()
	}
	halt := exp.Produce(end)

	require.NoError(t, p.ForceFlush(context.Background()))
	flushed := exp.Exported()
	halt()
	require.NoError(t, p.Shutdown(context.Background()))

	assert.LessOrEqual(t, flushed, int64(limit), "Flush kept exporting the spans that ended while it ran")
	assert.Zero(t, p.Dropped(), "the paced producer never fills the queue")
}

// TestShutdownReturnsTheExportError checks that Shutdown returns the error
// of the exports it made of the spans still queued, as Flush does.
func TestShutdownReturnsTheExportError(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.FlushInterval = time.Hour
	exp := newChanExporter()
	exp.err = &tracing.ExportError{Kind: "not_found", Hint: "no Langfuse endpoint", Err: errors.New("404")}
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.DiscardHandler)))
	tr := tracing.Tracer(provider(cfg, p))
	for range 3 {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	err := p.Shutdown(context.Background())
	var ee *tracing.ExportError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "not_found", ee.Kind)
	assert.Equal(t, uint64(3), p.Dropped())
	assert.Equal(t, err, p.Shutdown(context.Background()), "a second Shutdown returns the first's result")
}

// TestShutdownWithDoneContextCountsEverySpan checks that Shutdown with a
// ctx that has already ended gives up every span, the one being exported
// and those queued, and has counted them all when it returns.
func TestShutdownWithDoneContextCountsEverySpan(t *testing.T) {
	cfg := testConfig(config.ExportBatched)
	cfg.FlushAt = 1
	cfg.MaxQueueSize = 1000
	cfg.Timeout = time.Hour
	exp := newChanExporter()
	exp.release = make(chan struct{}) // never: the backend hangs
	exp.entered = make(chan struct{}, 1)
	p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.DiscardHandler)))
	tr := tracing.Tracer(provider(cfg, p))
	const n = 200
	for range n {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
	<-exp.entered // one export hangs; the rest are queued

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Shutdown(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "200 spans not exported")
	assert.Equal(t, uint64(n), p.Dropped(), "every span is counted when Shutdown returns")
	assert.Zero(t, p.Exported())
	assert.Zero(t, p.Failed(), "spans Shutdown gave up on are not failed requests")
}

// TestSpanEndedAfterShutdownIsDropped checks that a span started before
// Shutdown and ended after it is counted as dropped, not lost uncounted.
func TestSpanEndedAfterShutdownIsDropped(t *testing.T) {
	for _, mode := range []config.ExportMode{config.ExportBatched, config.ExportImmediate} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := testConfig(mode)
			exp := newChanExporter()
			p := tracing.NewExportProcessor(cfg, exp, tracing.WithLogger(slog.New(slog.DiscardHandler)))
			tr := tracing.Tracer(provider(cfg, p))
			_, open := tr.Start(context.Background(), "open")
			_, done := tr.Start(context.Background(), "done")
			done.End()
			require.NoError(t, p.Shutdown(context.Background()))
			assert.Equal(t, uint64(1), p.Exported())

			open.End()
			assert.Equal(t, uint64(1), p.Dropped(), "a span ended after Shutdown is counted")
			assert.Equal(t, 1, exp.count(), "and not exported")
		})
	}
}
