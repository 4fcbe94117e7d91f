package tracing

import (
	"context"
	"sync"
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

	// gate orders OnEnd against Shutdown: a span is queued under the read
	// lock only while stopped is false, so once Shutdown has set it the
	// queue only shrinks and no span can slip in after the last drain,
	// uncounted.
	gate    sync.RWMutex
	stopped bool

	queue chan sdktrace.ReadOnlySpan
	// ready is signalled when a batch's worth of spans is queued (full,
	// the batch size or the whole queue if smaller). The export goroutine
	// waits for it, not for each span, so that ending a span rarely wakes it.
	ready   chan struct{}
	full    int
	flushes chan chan error // each asks for the queue to be exported
	stop    chan struct{}   // closed by Shutdown
	done    chan struct{}   // closed when run returns
	stopErr error           // of the exports of the last drain; read once done is closed

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
		ready:    make(chan struct{}, 1),
		full:     min(max(size, 1), max(queueSize, 1)),
		flushes:  make(chan chan error),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go p.run()
	return p
}

// OnStart does nothing.
func (p *batchProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues s, or drops and counts it when the queue is full or
// Shutdown has begun.
func (p *batchProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	p.gate.RLock()
	if p.stopped {
		p.gate.RUnlock()
		p.send.late(1)
		return
	}
	select {
	case p.queue <- s:
		p.gate.RUnlock()
		if len(p.queue) >= p.full {
			p.wake()
		}
	default:
		p.gate.RUnlock()
		p.send.drop(1)
		p.send.warn("queue_full", "langfuse: export queue full, dropping spans; raise "+config.EnvMaxQueueSize+
			" or export more often (the count is Client.Stats().Dropped)", "queue_size", cap(p.queue))
	}
}

// wake tells the export goroutine that a batch's worth of spans is queued,
// unless it was told already.
func (p *batchProcessor) wake() {
	select {
	case p.ready <- struct{}{}:
	default:
	}
}

// ForceFlush exports the spans queued when it is called and returns when
// that is done or ctx ends; spans that end meanwhile wait for the next
// batch, so that spans ending faster than they are exported cannot hold
// it. It returns the error of the exports it waited for, if any failed.
func (p *batchProcessor) ForceFlush(ctx context.Context) error {
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
// ends first, or has ended already, the exports are cancelled and the
// spans left counted as dropped before it returns. It returns the errors
// of the exports it waited for and, if it gave spans up, how many with
// ctx's error. Spans that end afterwards are counted as dropped. Only the
// first call does anything.
func (p *batchProcessor) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		p.gate.Lock()
		p.stopped = true
		p.gate.Unlock()
		if ctx.Err() != nil {
			p.send.abort() // no time to export: every queued span is dropped
		}
		// Cancelled, the exports return at once (an exporter must honour
		// its ctx), so waiting for run is bounded by ctx.
		stop := context.AfterFunc(ctx, p.send.abort)
		close(p.stop)
		<-p.done
		stop()
		p.shutdownErr = p.send.finish(ctx, p.stopErr)
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
		// Unless the exporter is an *Exporter, which does it as it
		// encodes, the strings of the spans are made valid UTF-8 here,
		// on this goroutine rather than on the callers'.
		for i, s := range batch {
			batch[i] = p.send.valid(s)
		}
		err := p.send.send(batch)
		clear(batch)
		batch = batch[:0]
		return err
	}
	// drain exports the batch and the next n spans of the queue, which
	// must hold them, and returns the error of its exports.
	drain := func(n int) error {
		var errs exportErrors
		for range n {
			batch = append(batch, <-p.queue)
			if len(batch) >= p.size {
				errs.note(flush())
			}
		}
		if len(batch) > 0 {
			errs.note(flush())
		}
		return errs.err()
	}
	for {
		select {
		case <-p.ready:
			// One batch per wake-up, so that a Flush or Shutdown waiting
			// in this select is not starved by spans that keep coming;
			// the next batch's worth, if queued, wakes this loop again.
			// Only this goroutine takes spans from the queue, so a batch
			// seen queued stays queued; a wake-up that a Flush has
			// overtaken finds less, and waits.
			if len(p.queue) >= p.full {
				_ = drain(p.full)
				timer.Reset(p.interval)
			}
			if len(p.queue) >= p.full {
				p.wake()
			}
		case <-timer.C:
			_ = drain(len(p.queue))
			timer.Reset(p.interval)
		case ack := <-p.flushes:
			// The spans that ended before Flush was called are queued
			// by now, ahead of any that end later: exporting as many
			// as the queue holds exports them all.
			ack <- drain(len(p.queue))
		case <-p.stop:
			// Shutdown has closed the gate: the queue holds every span
			// left.
			p.stopErr = drain(len(p.queue))
			return
		}
	}
}
