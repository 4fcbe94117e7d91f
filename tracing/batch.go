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

// batchProcessor queues ended spans and exports them in batches from a
// goroutine of its own: a batch when size spans are queued, and what is
// queued at least every interval. Up to inFlight batches are exported at
// once, so that encoding the next batch overlaps the round trip of the
// last, which a single export at a time leaves the CPU idle for; when
// that many are in flight, batching waits and the queue takes the spans.
// When the bounded queue is full a span is dropped and counted, and drops
// are logged (see sender). It is safe for concurrent use.
type batchProcessor struct {
	send     *sender
	size     int
	interval time.Duration

	queue   chan sdktrace.ReadOnlySpan
	flushes chan chan error // each asks for the queue to be exported
	stop    chan struct{}   // closed by Shutdown
	done    chan struct{}   // closed when run returns and no export is in flight
	stopped atomic.Bool

	slots    chan struct{}                // one per export in flight
	free     chan []sdktrace.ReadOnlySpan // batches exported, emptied for reuse
	exports  sync.WaitGroup               // the exports in flight
	resultMu sync.Mutex
	results  exportResults // of the exports since the last drain began

	shutdownOnce sync.Once
	shutdownErr  error
}

// maxInFlight is how many batches are exported at once by an exporter
// that is safe for concurrent use. The SDK calls a SpanExporter's
// ExportSpans one call at a time and promises no more, so any other
// exporter gets one batch at a time.
const maxInFlight = 2

// exportResults sums up the exports a drain waits for.
type exportResults struct {
	sent, failed int
	last         error
}

var _ sdktrace.SpanProcessor = (*batchProcessor)(nil)

// defaultInterval stands in for a configuration's FlushInterval left at
// zero.
const defaultInterval = 5 * time.Second

// newBatchProcessor starts the export goroutine of a batchProcessor, which
// Shutdown stops.
func newBatchProcessor(send *sender, size, queueSize, inFlight int, interval time.Duration) *batchProcessor {
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
		slots:    make(chan struct{}, max(inFlight, 1)),
		free:     make(chan []sdktrace.ReadOnlySpan, max(inFlight, 1)),
	}
	go p.run()
	return p
}

// OnStart does nothing.
func (p *batchProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues s, with its strings made valid UTF-8 here, where they are
// still in the CPU's cache, or drops and counts it when the queue is
// full.
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

// run is the batching goroutine.
func (p *batchProcessor) run() {
	defer close(p.done)
	defer p.exports.Wait()
	p.slots <- struct{}{} // for the first export
	batch := make([]sdktrace.ReadOnlySpan, 0, p.size)
	timer := time.NewTimer(p.interval)
	defer timer.Stop()
	flush := func() {
		if len(batch) > 0 {
			p.export(batch)
			select {
			case batch = <-p.free:
			default:
				batch = make([]sdktrace.ReadOnlySpan, 0, p.size)
			}
		}
	}
	// fill moves to batch what is queued, up to a full batch, without the
	// cost of the main loop's select for each span.
	fill := func() {
		for len(batch) < p.size {
			select {
			case s := <-p.queue:
				batch = append(batch, s)
			default:
				return
			}
		}
	}
	// drain exports the queue, waits for every export in flight, and
	// returns the error of the exports it waited for: the last one's,
	// with how many failed when more than one did.
	drain := func() error {
		p.resultMu.Lock()
		p.results = exportResults{}
		p.resultMu.Unlock()
		for {
			fill()
			if len(batch) == 0 {
				break
			}
			flush()
		}
		p.exports.Wait()
		p.resultMu.Lock()
		r := p.results
		p.resultMu.Unlock()
		if r.failed > 1 {
			return fmt.Errorf("%d of %d exports failed, the last: %w", r.failed, r.sent, r.last)
		}
		return r.last
	}
	for {
		select {
		case s := <-p.queue:
			batch = append(batch, s)
			fill()
			if len(batch) >= p.size {
				flush()
				timer.Reset(p.interval)
			}
		case <-timer.C:
			flush()
			timer.Reset(p.interval)
		case ack := <-p.flushes:
			ack <- drain()
		case <-p.stop:
			_ = drain()
			return
		}
	}
}

// export sends batch on a goroutine of its own, which notes its result
// for drain and hands the emptied batch back for reuse. Then it takes the
// slot of the next export, waiting while inFlight exports are in flight,
// so that batching stops while it waits and the spans stay queued, where
// they are counted if the queue overflows.
func (p *batchProcessor) export(batch []sdktrace.ReadOnlySpan) {
	defer func() { p.slots <- struct{}{} }()
	p.exports.Add(1)
	go func() {
		defer p.exports.Done()
		err := p.send.send(batch)
		p.resultMu.Lock()
		p.results.sent++
		if err != nil {
			p.results.failed++
			p.results.last = err
		}
		p.resultMu.Unlock()
		clear(batch)
		select {
		case p.free <- batch[:0]:
		default:
		}
		<-p.slots
	}()
}
