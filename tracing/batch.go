package tracing

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
)

// batchProcessor queues ended spans and exports them in batches on a
// goroutine of its own: a batch when size spans are queued, and what is
// queued at least every interval. When the bounded queue is full a span is
// dropped and counted, and drops are logged (see sender). It is safe for
// concurrent use.
type batchProcessor struct {
	send     *sender
	size     int
	interval time.Duration

	queue   chan sdktrace.ReadOnlySpan
	flushes chan chan error // each asks for the queue to be exported
	stop    chan struct{}   // closed by Shutdown
	done    chan struct{}   // closed when run returns
	stopped atomic.Bool

	shutdownOnce sync.Once
	shutdownErr  error
}

var _ sdktrace.SpanProcessor = (*batchProcessor)(nil)

// defaultInterval stands in for a configuration's FlushInterval left at
// zero.
const defaultInterval = 5 * time.Second

// newBatchProcessor starts the export goroutine of a batchProcessor, which
// Shutdown stops.
func newBatchProcessor(send *sender, size, queueSize int, interval time.Duration) *batchProcessor {
	if interval <= 0 {
		interval = defaultInterval
	}
	p := &batchProcessor{
		send:     send,
		size:     max(size, 1),
		interval: interval,
		queue:    make(chan sdktrace.ReadOnlySpan, max(queueSize, 1)),
		flushes:  make(chan chan error),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go p.run()
	return p
}

// OnStart does nothing.
func (p *batchProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues s, or drops and counts it when the queue is full. Unless
// the exporter is an *Exporter, which does it as it encodes, the strings
// of s are made valid UTF-8 here, where they are still in the CPU's
// cache.
func (p *batchProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if p.stopped.Load() {
		return
	}
	select {
	case p.queue <- p.send.valid(s):
	default:
		p.send.drop(1)
		p.send.warn("queue_full", "langfuse: export queue full, dropping spans; raise "+config.EnvMaxQueueSize+
			" or export more often (the count is Client.DroppedSpans)", "queue_size", cap(p.queue))
	}
}

// ForceFlush exports every queued span and returns when that is done or
// ctx ends. It returns the error of the exports it waited for, if any
// failed.
func (p *batchProcessor) ForceFlush(ctx context.Context) error {
	if p.stopped.Load() {
		return ctx.Err()
	}
	ack := make(chan error, 1)
	select {
	case p.flushes <- ack:
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-ack:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown exports every queued span, then shuts the exporter down. If ctx
// ends first, the export goroutine gives up: it cancels its export and
// counts the spans left as dropped. Only the first call does anything.
func (p *batchProcessor) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		p.stopped.Store(true)
		close(p.stop)
		select {
		case <-p.done:
			p.shutdownErr = p.send.shutdownExporter(ctx)
		case <-ctx.Done():
			p.send.abort()
			p.shutdownErr = fmt.Errorf("spans still queued: %w", ctx.Err())
		}
	})
	return p.shutdownErr
}

// run is the export goroutine.
func (p *batchProcessor) run() {
	defer close(p.done)
	batch := make([]sdktrace.ReadOnlySpan, 0, p.size)
	timer := time.NewTimer(p.interval)
	defer timer.Stop()
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := p.send.send(batch)
		clear(batch)
		batch = batch[:0]
		return err
	}
	// drain exports the queue and returns the error of its exports: the
	// last one's, with how many failed when more than one did.
	drain := func() error {
		var last error
		failed, sent := 0, 0
		note := func(err error) {
			sent++
			if err != nil {
				failed++
				last = err
			}
		}
		for {
			select {
			case s := <-p.queue:
				batch = append(batch, s)
				if len(batch) >= p.size {
					note(flush())
				}
			default:
				if len(batch) > 0 {
					note(flush())
				}
				if failed > 1 {
					return fmt.Errorf("%d of %d exports failed, the last: %w", failed, sent, last)
				}
				return last
			}
		}
	}
	for {
		select {
		case s := <-p.queue:
			batch = append(batch, s)
			if len(batch) >= p.size {
				_ = flush()
				timer.Reset(p.interval)
			}
		case <-timer.C:
			_ = flush()
			timer.Reset(p.interval)
		case ack := <-p.flushes:
			ack <- drain()
		case <-p.stop:
			_ = drain()
			return
		}
	}
}
