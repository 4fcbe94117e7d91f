// Package prompts caches the prompts a client fetches from Langfuse: one
// entry per name and label or version, served from memory while fresh,
// served stale while one background refresh runs, and fetched by one
// caller at a time when missing. The root package supplies the fetching.
package prompts

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/observe-go/langfuse/prompt"
)

// Key names one cached prompt: a name with a label, or with a version.
type Key struct {
	Name    string
	Label   string
	Version int
}

// Fetch gets the prompt of a key from Langfuse.
type Fetch func(ctx context.Context, k Key) (*prompt.Prompt, error)

// ErrClosed is returned by Get after Close.
var ErrClosed = errors.New("prompt cache closed")

// DefaultMaxEntries bounds a cache made with a max of 0.
const DefaultMaxEntries = 1024

// Cache holds fetched prompts. It is safe for concurrent use.
type Cache struct {
	fetch   Fetch
	timeout time.Duration // of a background refresh
	max     int
	onError func(Key, error) // a background refresh failed; the stale value stays
	now     func() time.Time
	// after calls f once d has passed, unless the function it returns
	// is called first: time.AfterFunc, or a test's clock.
	after func(d time.Duration, f func()) (stop func() bool)
	// tick goes up by 2 at each miss and insertion; an entry's used is
	// the tick it was last read at, plus 1 for a fresh hit, so that
	// entries are ordered by recency without a clock read or a write
	// every hit shares.
	tick atomic.Int64

	mu      sync.RWMutex
	entries map[Key]*entry
	closed  bool
	wg      sync.WaitGroup // background refreshes
	stop    chan struct{}  // closed by Close: refreshes give up
}

// entry is one key's prompt. value and expires change under the cache's
// lock; a call in flight is shared by every caller of a cold key. stale
// is set by a timer when the value's time to live has passed, so that
// the fresh path tells fresh from stale without reading a clock, which
// costs more than the rest of a hit on machines whose clock is slow to
// read.
type entry struct {
	value      *prompt.Prompt
	expires    time.Time
	stale      atomic.Bool
	stopTimer  func() bool   // of the timer that sets stale; nil when none
	gen        atomic.Uint64 // of the value: a timer of an earlier one, too late to stop, does nothing
	used       atomic.Int64
	refreshing bool
	cold       *call // the first fetch, while it runs
}

// call is a fetch that several callers wait for.
type call struct {
	done  chan struct{}
	value *prompt.Prompt
	err   error
}

// New returns a cache that fetches with fetch, gives each background
// refresh timeout, holds at most max entries (DefaultMaxEntries when 0;
// the least recently used goes first) and reports failed background
// refreshes to onError.
func New(fetch Fetch, timeout time.Duration, max int, onError func(Key, error)) *Cache {
	if max <= 0 {
		max = DefaultMaxEntries
	}
	if onError == nil {
		onError = func(Key, error) {}
	}
	return &Cache{
		fetch: fetch, timeout: timeout, max: max, onError: onError, now: time.Now, after: afterFunc,
		entries: map[Key]*entry{}, stop: make(chan struct{}),
	}
}

func afterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Get returns the prompt of k. A fresh entry is returned from memory,
// under a read lock, without reading the clock or allocating; a stale one
// too, while one refresh runs in the background; a missing one is fetched
// under ctx, once for all the callers that ask meanwhile. ttl 0 fetches
// every time. The returned prompt is shared: read it, do not change it.
func (c *Cache) Get(ctx context.Context, k Key, ttl time.Duration) (*prompt.Prompt, error) {
	if ttl <= 0 {
		if c.isClosed() {
			return nil, ErrClosed
		}
		p, err := c.fetch(ctx, k)
		if err == nil {
			c.store(k, p, 0) // kept for a fallback to the last version known
		}
		return p, err
	}
	c.mu.RLock()
	e := c.entries[k]
	if e != nil && e.value != nil && !e.stale.Load() {
		p := e.value
		// After the last miss or insertion, before the next.
		if t := c.tick.Load() + 1; e.used.Load() < t {
			e.used.Store(t)
		}
		c.mu.RUnlock()
		return p, nil
	}
	c.mu.RUnlock()
	return c.slow(ctx, k, ttl, c.now())
}

// Known returns the last prompt fetched for k, fresh or not, if any.
func (c *Cache) Known(k Key) (*prompt.Prompt, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.entries[k]; e != nil && e.value != nil {
		return e.value, true
	}
	return nil, false
}

func (c *Cache) slow(ctx context.Context, k Key, ttl time.Duration, now time.Time) (*prompt.Prompt, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	e := c.entries[k]
	if e == nil {
		e = &entry{}
		c.insert(k, e)
	}
	e.used.Store(c.tick.Add(2))
	switch {
	case e.value != nil && now.Before(e.expires):
		p := e.value
		c.mu.Unlock()
		return p, nil
	case e.value != nil:
		// Stale: served at once, refreshed by one goroutine.
		p := e.value
		if !e.refreshing {
			e.refreshing = true
			c.wg.Add(1)
			go c.refresh(k, e, ttl)
		}
		c.mu.Unlock()
		return p, nil
	}
	cl := e.cold
	if cl == nil {
		cl = &call{done: make(chan struct{})}
		e.cold = cl
		c.mu.Unlock()
		cl.value, cl.err = c.fetch(ctx, k)
		c.mu.Lock()
		e.cold = nil
		if cl.err == nil && c.entries[k] == e { // not forgotten meanwhile
			c.set(e, cl.value, ttl)
		}
		close(cl.done)
		c.mu.Unlock()
		return cl.value, cl.err
	}
	c.mu.Unlock()
	select {
	case <-cl.done:
		return cl.value, cl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// refresh fetches k again in the background; a failure keeps the stale
// value and is reported.
func (c *Cache) refresh(k Key, e *entry, ttl time.Duration) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	p, err := c.fetch(ctx, k)
	c.mu.Lock()
	e.refreshing = false
	if err == nil && !c.closed && c.entries[k] == e { // not forgotten meanwhile
		c.set(e, p, ttl)
	}
	c.mu.Unlock()
	if err != nil {
		c.onError(k, err)
	}
}

// store puts p under k, fresh for ttl.
func (c *Cache) store(k Key, p *prompt.Prompt, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	e := c.entries[k]
	if e == nil {
		e = &entry{}
		c.insert(k, e)
	}
	e.used.Store(c.tick.Add(2))
	c.set(e, p, ttl)
}

// minTimedTTL is the shortest time to live that a timer keeps: a timer
// may fire late by the time a busy machine takes to run it, so an entry
// fresh for less is checked against the clock at every Get instead.
const minTimedTTL = time.Second

// set gives e the value p, fresh for ttl: a timer marks it stale then.
// The caller holds the lock.
func (c *Cache) set(e *entry, p *prompt.Prompt, ttl time.Duration) {
	if e.stopTimer != nil {
		e.stopTimer()
		e.stopTimer = nil
	}
	e.value, e.expires = p, c.now().Add(ttl)
	gen := e.gen.Add(1)
	e.stale.Store(ttl < minTimedTTL)
	if ttl >= minTimedTTL && !c.closed {
		e.stopTimer = c.after(ttl, func() {
			if e.gen.Load() == gen {
				e.stale.Store(true)
			}
		})
	}
}

// drop takes k's entry e out of the cache and stops its timer. The
// caller holds the lock.
func (c *Cache) drop(k Key, e *entry) {
	if e.stopTimer != nil {
		e.stopTimer()
		e.stopTimer = nil
	}
	delete(c.entries, k)
}

// insert adds e under k, first evicting the least recently used entry
// that is not being fetched when the cache is full. The caller holds the
// lock.
func (c *Cache) insert(k Key, e *entry) {
	if len(c.entries) >= c.max {
		var oldest Key
		var found bool
		var at int64
		for key, x := range c.entries {
			if x.cold != nil || x.refreshing {
				continue
			}
			if used := x.used.Load(); !found || used < at {
				oldest, at, found = key, used, true
			}
		}
		if found {
			c.drop(oldest, c.entries[oldest])
		}
	}
	c.entries[k] = e
}

// Forget drops every entry of the prompt called name, whatever its label
// or version, so that the next Get fetches it again: a new version or a
// moved label changes what a label names. A fetch already running for one
// of them still answers its callers, but no longer fills the cache.
func (c *Cache) Forget(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if k.Name == name {
			c.drop(k, e)
		}
	}
}

// Len is the number of entries.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

func (c *Cache) isClosed() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.closed
}

// Close stops the cache: background refreshes are cancelled and waited
// for, and Get returns ErrClosed. It is safe to call more than once.
func (c *Cache) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	close(c.stop)
	for _, e := range c.entries {
		if e.stopTimer != nil {
			e.stopTimer()
			e.stopTimer = nil
		}
	}
	c.mu.Unlock()
	c.wg.Wait()
}
