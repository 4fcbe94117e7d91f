package scores

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Config is what a Queue needs to reach Langfuse.
type Config struct {
	// Endpoint is the ingestion URL, {base}/api/public/ingestion.
	Endpoint string
	// Headers go on every request (Basic auth, SDK name and version).
	Headers map[string]string
	// Secrets are taken out of any text from the network before it is
	// logged or kept as an error.
	Secrets []string
	// Timeout bounds each request and, counted from the first attempt,
	// the retries of one batch.
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
	// Transport makes the requests; nil means a copy of
	// http.DefaultTransport of the queue's own.
	Transport http.RoundTripper
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
	cfg       Config
	client    *http.Client
	transport http.RoundTripper
	log       *limiter
	counters
	firstWait, maxWait time.Duration

	mu      sync.Mutex
	buf     []Score
	stopped bool

	kick     chan struct{}      // a full batch is waiting
	flushReq chan chan struct{} // Flush asks, the loop closes the reply
	stop     chan struct{}      // closed by Shutdown
	done     chan struct{}      // closed when the loop has returned

	ctx   context.Context // parent of every request; abort cancels it
	abort context.CancelFunc

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
	tr := cfg.Transport
	if tr == nil {
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = t.Clone()
		} else {
			tr = http.DefaultTransport
		}
	}
	q := &Queue{
		cfg:       cfg,
		transport: tr,
		client:    &http.Client{Transport: tr, Timeout: cfg.Timeout},
		log:       newLimiter(cfg.Logger),
		firstWait: firstRetryWait,
		maxWait:   maxRetryWait,
		kick:      make(chan struct{}, 1),
		flushReq:  make(chan chan struct{}),
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

// Flush sends every queued score and returns when that is done or ctx
// ends.
func (q *Queue) Flush(ctx context.Context) error {
	reply := make(chan struct{})
	select {
	case q.flushReq <- reply:
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-reply:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown sends every queued score, then stops the queue; scores added
// afterwards are dropped. If ctx ends first, the request in flight is
// cancelled and what is left is counted as dropped. Either way no
// goroutine of the queue is left when it returns. Only the first call
// does anything; later calls return its result.
func (q *Queue) Shutdown(ctx context.Context) error {
	q.shutdownOnce.Do(func() {
		q.mu.Lock()
		q.stopped = true
		q.mu.Unlock()
		close(q.stop)
		select {
		case <-q.done:
		case <-ctx.Done():
			q.shutdownErr = ctx.Err()
			q.abort()
			<-q.done // the loop drops what is left at once
		}
		q.abort()
		if t, ok := q.transport.(interface{ CloseIdleConnections() }); ok {
			t.CloseIdleConnections()
		}
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
			q.drain(true)
		case <-ticker.C:
			q.drain(false)
		case reply := <-q.flushReq:
			q.drain(false)
			close(reply)
		case <-q.stop:
			q.drain(false)
			return
		}
	}
}

// drain sends the queued scores a batch at a time: only full batches when
// fullOnly, else all of them.
func (q *Queue) drain(fullOnly bool) {
	for {
		q.mu.Lock()
		n := min(len(q.buf), q.cfg.BatchSize)
		if n == 0 || (fullOnly && n < q.cfg.BatchSize) {
			q.mu.Unlock()
			return
		}
		batch := slices.Clone(q.buf[:n])
		clear(q.buf[:n]) // let the sent scores go
		q.buf = q.buf[n:]
		if len(q.buf) == 0 {
			q.buf = nil
		}
		q.mu.Unlock()
		q.send(batch)
	}
}
