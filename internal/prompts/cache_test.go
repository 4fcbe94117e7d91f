package prompts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/observe-go/langfuse/prompt"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a clock a test moves by hand, with the timers of
// Cache.after, which fire as add passes them.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool // or fired
}

func (f *fakeClock) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

func (f *fakeClock) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	var due []func()
	for _, t := range f.timers {
		if !t.stopped && !t.at.After(f.t) {
			t.stopped = true
			due = append(due, t.f)
		}
	}
	f.mu.Unlock()
	for _, fn := range due {
		fn()
	}
}

func (f *fakeClock) after(d time.Duration, fn func()) func() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{at: f.t.Add(d), f: fn}
	f.timers = append(f.timers, t)
	return func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// counter fetches version n+1 on its n-th call, blocking until release is
// closed when it is set.
type counter struct {
	calls   atomic.Int32
	entered chan struct{} // told of each call, when set
	release chan struct{}
	fail    atomic.Bool
}

func (c *counter) fetch(ctx context.Context, k Key) (*prompt.Prompt, error) {
	n := c.calls.Add(1)
	if c.entered != nil {
		c.entered <- struct{}{}
	}
	if c.release != nil {
		select {
		case <-c.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if c.fail.Load() {
		return nil, errors.New("unreachable")
	}
	return &prompt.Prompt{Name: k.Name, Version: int(n)}, nil
}

func newTestCache(t *testing.T, f Fetch, max int, onError func(Key, error)) (*Cache, *fakeClock) {
	t.Helper()
	c := New(f, time.Minute, max, onError)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.now, c.after = clock.now, clock.after
	t.Cleanup(c.Close)
	return c, clock
}

var key = Key{Name: "greet", Label: "production"}

func TestFreshEntriesComeFromMemory(t *testing.T) {
	var f counter
	c, clock := newTestCache(t, f.fetch, 0, nil)
	for range 3 {
		p, err := c.Get(context.Background(), key, time.Minute)
		require.NoError(t, err)
		assert.Equal(t, 1, p.Version)
		clock.add(10 * time.Second)
	}
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestConcurrentColdCallersShareOneFetch(t *testing.T) {
	f := counter{release: make(chan struct{})}
	c, _ := newTestCache(t, f.fetch, 0, nil)
	var wg sync.WaitGroup
	versions := make([]int, 1000)
	errs := make([]error, 1000)
	started := make(chan struct{}, 1000)
	for i := range versions {
		wg.Go(func() {
			started <- struct{}{}
			p, err := c.Get(context.Background(), key, time.Minute)
			errs[i] = err
			if p != nil {
				versions[i] = p.Version
			}
		})
	}
	for range versions {
		<-started
	}
	close(f.release)
	wg.Wait()
	for i := range versions {
		require.NoError(t, errs[i])
		assert.Equal(t, 1, versions[i])
	}
	assert.EqualValues(t, 1, f.calls.Load(), "one request for a cold key")
}

func TestStaleIsServedWhileOneRefreshRuns(t *testing.T) {
	f := counter{}
	var failures atomic.Int32
	c, clock := newTestCache(t, f.fetch, 0, func(Key, error) { failures.Add(1) })
	_, err := c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)

	f.release = make(chan struct{})
	f.entered = make(chan struct{}, 1)
	clock.add(2 * time.Minute)
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() {
			p, err := c.Get(context.Background(), key, time.Minute)
			assert.NoError(t, err)
			assert.Equal(t, 1, p.Version, "the stale version, at once")
		})
	}
	wg.Wait()   // every caller returned while the refresh is held
	<-f.entered // the refresh has begun: it may not have when the callers return
	assert.EqualValues(t, 2, f.calls.Load(), "one refresh for a stale key")
	close(f.release)
	c.wg.Wait()

	p, err := c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 2, p.Version, "the refreshed version once it is in")
	assert.Zero(t, failures.Load())
}

func TestAFailedRefreshKeepsTheStaleValue(t *testing.T) {
	f := counter{}
	var failed []Key
	var mu sync.Mutex
	c, clock := newTestCache(t, f.fetch, 0, func(k Key, err error) {
		mu.Lock()
		failed = append(failed, k)
		mu.Unlock()
	})
	_, err := c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	f.fail.Store(true)
	clock.add(2 * time.Minute)
	p, err := c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 1, p.Version)
	c.wg.Wait()
	p, err = c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 1, p.Version, "still the stale value after the refresh failed")
	c.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []Key{key, key}, failed, "each failed refresh is reported")
}

func TestZeroTTLFetchesEveryTime(t *testing.T) {
	var f counter
	c, _ := newTestCache(t, f.fetch, 0, nil)
	for i := range 3 {
		p, err := c.Get(context.Background(), key, 0)
		require.NoError(t, err)
		assert.Equal(t, i+1, p.Version)
	}
	known, ok := c.Known(key)
	require.True(t, ok)
	assert.Equal(t, 3, known.Version)
}

func TestTheCacheIsBounded(t *testing.T) {
	var f counter
	c, clock := newTestCache(t, f.fetch, 8, nil)
	for i := range 100 {
		_, err := c.Get(context.Background(), Key{Name: fmt.Sprint("p", i), Label: "production"}, time.Hour)
		require.NoError(t, err)
		clock.add(time.Second)
	}
	assert.Equal(t, 8, c.Len())
	_, ok := c.Known(Key{Name: "p99", Label: "production"})
	assert.True(t, ok, "the latest stays")
	_, ok = c.Known(Key{Name: "p0", Label: "production"})
	assert.False(t, ok, "the least recently used went first")
}

func TestColdCallerGivesUpWithItsContext(t *testing.T) {
	f := counter{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	c, _ := newTestCache(t, f.fetch, 0, nil)
	leader := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), key, time.Minute)
		leader <- err
	}()
	<-f.entered // the leader's fetch has begun
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Get(ctx, key, time.Minute)
	require.ErrorIs(t, err, context.Canceled)
	close(f.release)
	require.NoError(t, <-leader)
}

func TestCloseStopsRefreshesAndGets(t *testing.T) {
	f := counter{}
	c := New(f.fetch, time.Hour, 0, nil)
	clock := &fakeClock{t: time.Now()}
	c.now, c.after = clock.now, clock.after
	_, err := c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	f.release = make(chan struct{}) // the refresh will hang until cancelled
	clock.add(time.Hour)
	_, err = c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	c.Close() // returns once the hanging refresh gave up
	_, err = c.Get(context.Background(), key, time.Minute)
	require.ErrorIs(t, err, ErrClosed)
	c.Close()
}

func TestForgetDropsEveryEntryOfAName(t *testing.T) {
	var f counter
	c, _ := newTestCache(t, f.fetch, 0, nil)
	other := Key{Name: "other", Label: "production"}
	for _, k := range []Key{key, {Name: key.Name, Version: 3}, other} {
		_, err := c.Get(context.Background(), k, time.Hour)
		require.NoError(t, err)
	}
	c.Forget(key.Name)
	assert.Equal(t, 1, c.Len(), "only the other prompt is left")
	p, err := c.Get(context.Background(), key, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, 4, p.Version, "fetched again")
	_, ok := c.Known(other)
	assert.True(t, ok)
}

func TestForgetDuringAColdFetch(t *testing.T) {
	f := counter{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	c, _ := newTestCache(t, f.fetch, 0, nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), key, time.Hour)
		done <- err
	}()
	<-f.entered
	c.Forget(key.Name)
	close(f.release)
	require.NoError(t, <-done, "the caller still gets its answer")
	_, ok := c.Known(key)
	assert.False(t, ok, "a fetch begun before Forget does not fill the cache")
}

// TestFreshHitReadsNoClock checks that a fresh entry is served without
// reading the clock, whose cost on some machines is most of a hit.
func TestFreshHitReadsNoClock(t *testing.T) {
	var f counter
	c, clock := newTestCache(t, f.fetch, 0, nil)
	_, err := c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	var reads atomic.Int32
	c.now = func() time.Time { reads.Add(1); return clock.now() }
	for range 100 {
		_, err := c.Get(context.Background(), key, time.Minute)
		require.NoError(t, err)
	}
	assert.Zero(t, reads.Load())
	clock.add(time.Minute) // the timer marks it stale
	_, err = c.Get(context.Background(), key, time.Minute)
	require.NoError(t, err)
	assert.NotZero(t, reads.Load(), "a stale entry takes the slow path")
	c.wg.Wait()
}

// TestHitsKeepAnEntryFromEviction checks that an entry read only from
// memory counts as recently used.
func TestHitsKeepAnEntryFromEviction(t *testing.T) {
	var f counter
	c, _ := newTestCache(t, f.fetch, 2, nil)
	a, b, d := Key{Name: "a"}, Key{Name: "b"}, Key{Name: "d"}
	for _, k := range []Key{a, b, a, d} { // a's second read is a fresh hit
		_, err := c.Get(context.Background(), k, time.Hour)
		require.NoError(t, err)
	}
	_, ok := c.Known(a)
	assert.True(t, ok, "a was read after b")
	_, ok = c.Known(b)
	assert.False(t, ok, "b made room")
}

func TestCloseStopsTheTimers(t *testing.T) {
	var f counter
	c, clock := newTestCache(t, f.fetch, 0, nil)
	for _, k := range []Key{{Name: "a"}, {Name: "b"}} {
		_, err := c.Get(context.Background(), k, time.Hour)
		require.NoError(t, err)
	}
	c.Forget("a")
	c.Close()
	clock.mu.Lock()
	defer clock.mu.Unlock()
	for _, tm := range clock.timers {
		assert.True(t, tm.stopped)
	}
}

// TestShortTTLIsCheckedAgainstTheClock checks that an entry fresh for
// less than a timer can be trusted with goes stale on time.
func TestShortTTLIsCheckedAgainstTheClock(t *testing.T) {
	var f counter
	c, clock := newTestCache(t, f.fetch, 0, nil)
	c.after = func(time.Duration, func()) func() bool { panic("no timer for a short time to live") }
	for range 2 {
		_, err := c.Get(context.Background(), key, 10*time.Millisecond)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, f.calls.Load(), "fresh by the clock")
	clock.add(10 * time.Millisecond)
	p, err := c.Get(context.Background(), key, 10*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, 1, p.Version, "stale, served while it is refreshed")
	c.wg.Wait()
	assert.EqualValues(t, 2, f.calls.Load())
}
