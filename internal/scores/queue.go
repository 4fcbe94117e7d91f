package scores

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/observe-go/langfuse/internal/lfhttp"
)

// Config is what a Queue needs to reach Langfuse.
type Config struct {
	// HTTP reaches Langfuse: the ingestion URL, the credentials and SDK
	// headers, the redirect policy, and the redaction of answers before
	// they are logged or kept as an error. It is required.
	HTTP *lfhttp.Client
	// Timeout bounds, counted from the first attempt, the retries of one
	// batch; HTTP bounds each request.
	Timeout time.Duration
	// BatchSize is the most scores in one request.
	BatchSize int
	// MaxQueue is the most scores waiting; more are dropped and counted.
	MaxQueue int
	// Interval is the longest a score waits before it is sent.
	Interval time.Duration
	// Logger receives delivery problems; nil means slog.Default().
	Logger *slog.Logger
	// Environment is set on scores that have none.
	Environment string
	// MaxRequestBytes bounds a request's body: a batch that would pass
	// it goes in several requests, a score that fits in none is dropped.
	// 0 means lfhttp.MaxRequestBytes.
	MaxRequestBytes int
}

// Defaults of a Config's numbers left at zero, and the bounds of the
// backoff between retries.
const (
	defaultTimeout   = 5 * time.Second
	defaultBatchSize = 100
	defaultMaxQueue  = 10000
	defaultInterval  = time.Second
	firstRetryWait   = 250 * time.Millisecond
	maxRetryWait     = 2 * time.Second
)

// Queue delivers scores to the ingestion API in batches, from a bounded
// queue, on one goroutine of its own that Shutdown stops. It is a Sink,
// safe for concurrent use.
type Queue struct {
	cfg Config
	log *limiter
	counters
	firstWait, maxWait time.Duration

	mu      sync.Mutex
	buf     []Score
	stopped bool

	kick     chan struct{}   // a full batch is waiting
	flushReq chan chan error // Flush asks, the loop answers with the errors it met
	stop     chan struct{}   // closed by Shutdown
	done     chan struct{}   // closed when the loop has returned
	stopErr  error           // of the last drain; read once done is closed

	ctx       context.Context // parent of every request; abort cancels it
	abort     context.CancelFunc
	abandoned atomic.Uint64 // scores given up on by Shutdown, of those dropped

	shutdownOnce sync.Once
	shutdownErr  error
}

var _ Sink = (*Queue)(nil)

// NewQueue starts a Queue for cfg.
func NewQueue(cfg Config) *Queue {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = defaultBatchSize
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = defaultMaxQueue
	}
	if cfg.Interval <= 0 {
		cfg.Interval = defaultInterval
	}
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = lfhttp.MaxRequestBytes
	}
	q := &Queue{
		cfg:       cfg,
		log:       newLimiter(cfg.Logger),
		firstWait: firstRetryWait,
		maxWait:   maxRetryWait,
		kick:      make(chan struct{}, 1),
		flushReq:  make(chan chan error),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	q.ctx, q.abort = context.WithCancel(context.Background())
	go q.run()
	return q
}

// Add queues s, which must be normalized and stamped. When the queue is
// full, or shut down, s is dropped and counted.
func (q *Queue) Add(s Score) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		q.dropped.Add(1)
		return
	}
	if len(q.buf) >= q.cfg.MaxQueue {
		q.mu.Unlock()
		q.dropped.Add(1)
		q.log.warn("queue-full", "langfuse: score queue full; dropping scores (Client.Stats counts them)",
			"max_queue", q.cfg.MaxQueue)
		return
	}
	if s.Environment == "" {
		s.Environment = q.cfg.Environment
	}
	q.buf = append(q.buf, s)
	full := len(q.buf) >= q.cfg.BatchSize
	q.mu.Unlock()
	if full {
		select {
		case q.kick <- struct{}{}:
		default:
		}
	}
}

// Stats returns the queue's counts so far.
func (q *Queue) Stats() Stats { return q.stats() }

// Flush sends the scores queued when it is called and returns when that
// is done or ctx ends; scores added meanwhile wait for the next batch, so
// that scores coming faster than they are sent cannot hold it. It returns
// the delivery errors it met: the last one's, with how many requests
// failed when more than one did.
func (q *Queue) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case q.flushReq <- reply:
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown sends every queued score, then stops the queue; scores added
// afterwards are dropped. If ctx ends first, or has ended already, the
// request in flight is cancelled and what is left is counted as dropped
// before it returns. Either way no goroutine of the queue is left when it
// returns. It returns the delivery errors it met, as Flush does, and when
// it gave scores up, how many with ctx's error. Only the first call does
// anything; later calls return its result.
func (q *Queue) Shutdown(ctx context.Context) error {
	q.shutdownOnce.Do(func() {
		q.mu.Lock()
		q.stopped = true
		q.mu.Unlock()
		if ctx.Err() != nil {
			q.abort() // no time to send: every queued score is dropped
		}
		stop := context.AfterFunc(ctx, q.abort)
		close(q.stop)
		<-q.done // once aborted, the loop drops what is left at once
		stop()
		q.abort()
		q.cfg.HTTP.CloseIdleConnections()
		var errs []error
		if q.stopErr != nil && !errors.Is(q.stopErr, errAbandoned) {
			errs = append(errs, q.stopErr)
		}
		if n := q.abandoned.Load(); n > 0 {
			errs = append(errs, fmt.Errorf("%d scores not sent: %w", n, cmp.Or(ctx.Err(), errAbandoned)))
		}
		q.shutdownErr = errors.Join(errs...)
	})
	return q.shutdownErr
}

func (q *Queue) run() {
	defer close(q.done)
	ticker := time.NewTicker(q.cfg.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-q.kick:
			_ = q.drain(true)
		case <-ticker.C:
			_ = q.drain(false)
		case reply := <-q.flushReq:
			reply <- q.drain(false)
		case <-q.stop:
			// Shutdown has stopped Add: the queue holds every score left.
			q.stopErr = q.drain(false)
			return
		}
	}
}

// drain sends the scores queued when it is called a batch at a time,
// oldest first: only full batches when fullOnly, else all of them. Scores
// added meanwhile are left for the next time, so that a steady stream of
// them cannot keep the loop, and Flush with it, from returning. It returns
// the errors of its requests: the last one's, with how many failed when
// more than one did; errAbandoned when Shutdown gave some up and none
// failed otherwise.
func (q *Queue) drain(fullOnly bool) error {
	q.mu.Lock()
	left := len(q.buf)
	q.mu.Unlock()
	var n, failed int
	var last error
	abandoned := false
	for left > 0 {
		q.mu.Lock()
		size := min(left, q.cfg.BatchSize)
		if fullOnly && size < q.cfg.BatchSize {
			q.mu.Unlock()
			break
		}
		batch := slices.Clone(q.buf[:size])
		clear(q.buf[:size]) // let the sent scores go
		q.buf = q.buf[size:]
		if len(q.buf) == 0 {
			q.buf = nil
		}
		q.mu.Unlock()
		left -= size
		n++
		switch err := q.send(batch); {
		case err == nil:
		case errors.Is(err, errAbandoned):
			abandoned = true
		default:
			failed++
			last = err
		}
	}
	switch {
	case failed > 1:
		return fmt.Errorf("%d of %d score requests failed, the last: %w", failed, n, last)
	case failed == 1:
		return last
	case abandoned:
		return errAbandoned
	}
	return nil
}
