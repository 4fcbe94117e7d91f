package tracing

import (
	"context"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// immediateProcessor exports each span on the goroutine that ends it, in
// a request of its own. Exports of different goroutines run side by side;
// ForceFlush and Shutdown wait for those in flight. It is safe for
// concurrent use.
type immediateProcessor struct {
	send *sender

	mu       sync.Mutex
	stopped  bool
	inflight map[*flight]struct{}

	shutdownOnce sync.Once
	shutdownErr  error
}

var _ sdktrace.SpanProcessor = (*immediateProcessor)(nil)

// flight is one export in flight: done is closed when it returns, after
// err is set.
type flight struct {
	done chan struct{}
	err  error
}

func newImmediateProcessor(send *sender) *immediateProcessor {
	return &immediateProcessor{send: send, inflight: map[*flight]struct{}{}}
}

// OnStart does nothing.
func (p *immediateProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd exports s and returns when that is done. Once Shutdown has begun,
// s is counted as dropped instead.
func (p *immediateProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	f := p.begin()
	if f == nil {
		p.send.late(1)
		return
	}
	var err error
	defer func() { p.end(f, err) }()
	err = p.send.send([]sdktrace.ReadOnlySpan{p.send.valid(s)})
}

// ForceFlush waits for the exports in flight when it is called, on other
// goroutines, and returns when they are done or ctx ends. It returns the
// error of an export it waited for: the last one's, with how many failed
// when more than one did, as the batch processor's ForceFlush does.
// Exports that begin while it waits are not waited for, so that a steady
// stream of spans cannot keep it waiting.
func (p *immediateProcessor) ForceFlush(ctx context.Context) error {
	p.mu.Lock()
	flights := p.flights()
	p.mu.Unlock()
	if err := waitFlights(ctx, flights); err != nil {
		return err
	}
	return ctx.Err()
}

// Shutdown stops new exports, waits for those in flight, then shuts the
// exporter down. If ctx ends first, or has ended already, the exports in
// flight are cancelled and their spans counted as dropped before it
// returns. It returns the errors of the exports it waited for and, if it
// gave spans up, how many with ctx's error. Spans that end afterwards are
// counted as dropped. Only the first call does anything.
func (p *immediateProcessor) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		p.mu.Lock()
		p.stopped = true
		flights := p.flights()
		p.mu.Unlock()
		if ctx.Err() != nil {
			p.send.abort()
		}
		// Cancelled, the exports return at once (an exporter must honour
		// its ctx), so waiting for them is bounded by ctx.
		stop := context.AfterFunc(ctx, p.send.abort)
		err := waitFlights(context.Background(), flights)
		stop()
		p.shutdownErr = p.send.finish(ctx, err)
	})
	return p.shutdownErr
}

// begin notes an export in flight, unless Shutdown has begun, when it
// returns nil.
func (p *immediateProcessor) begin() *flight {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil
	}
	f := &flight{done: make(chan struct{})}
	p.inflight[f] = struct{}{}
	return f
}

// end records the error of f, tells whoever waits for it, and forgets it.
func (p *immediateProcessor) end(f *flight, err error) {
	f.err = err
	close(f.done)
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.inflight, f)
}

// flights returns the exports in flight; p.mu must be held.
func (p *immediateProcessor) flights() []*flight {
	flights := make([]*flight, 0, len(p.inflight))
	for f := range p.inflight {
		flights = append(flights, f)
	}
	return flights
}

// waitFlights waits for flights to return, or for ctx, and returns the error of
// the exports it waited for, or ctx's.
func waitFlights(ctx context.Context, flights []*flight) error {
	var errs exportErrors
	for _, f := range flights {
		select {
		case <-f.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		errs.note(f.err)
	}
	return errs.err()
}
