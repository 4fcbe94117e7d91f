package langfuse_test

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// pair is one item of a sequence under test.
type pair[T any] struct {
	v   T
	err error
}

// source is a sequence under test: it yields its items and counts what it
// did, so tests can tell whether it was stopped.
type source[T any] struct {
	items    []pair[T]
	yielded  atomic.Int32
	finished atomic.Bool // every item was taken
	returned atomic.Bool // the sequence returned, finished or stopped
}

func (s *source[T]) seq() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		defer s.returned.Store(true)
		for _, p := range s.items {
			s.yielded.Add(1)
			if !yield(p.v, p.err) {
				return
			}
		}
		s.finished.Store(true)
	}
}

func oks[T any](vs ...T) []pair[T] {
	out := make([]pair[T], len(vs))
	for i, v := range vs {
		out[i] = pair[T]{v: v}
	}
	return out
}

// collect ranges seq to the end.
func collect[T any](seq iter.Seq2[T, error]) ([]T, []error) {
	var vs []T
	var errs []error
	for v, err := range seq {
		vs = append(vs, v)
		errs = append(errs, err)
	}
	return vs, errs
}

// tokens is a streaming function of a prompt that yields words.
func tokens(words ...string) func(context.Context, string) iter.Seq2[string, error] {
	return func(context.Context, string) iter.Seq2[string, error] {
		return (&source[string]{items: oks(words...)}).seq()
	}
}

// awaitObservation runs the garbage collector until an observation called
// name is recorded, for the observations that a cleanup ends.
func awaitObservation(t *testing.T, rec *langfusetest.Recorder, name string) langfusetest.Observation {
	t.Helper()
	var o langfusetest.Observation
	gcs := 0
	require.Eventually(t, func() bool {
		if gcs < 50 {
			gcs++
			runtime.GC()
		}
		var ok bool
		o, ok = rec.Find(name)
		return ok
	}, 10*time.Second, time.Millisecond, "the abandoned sequence's observation was not ended")
	return o
}

func TestObserveSeqOutput(t *testing.T) {
	chunks := []answer{{Text: "a", Score: 1}, {Text: "b", Score: 2}}
	tests := []struct {
		name      string
		run       func(name string) any // ranges the sequence, returns what the loop got
		want      any
		wantInput string
		wantOut   string
	}{
		{
			name: "strings are concatenated",
			run: func(name string) any {
				vs, _ := collect(langfuse.ObserveSeq(name, tokens("Hel", "lo", "!"))(context.Background(), "greet"))
				return vs
			},
			want:      []string{"Hel", "lo", "!"},
			wantInput: "greet",
			wantOut:   "Hello!",
		},
		{
			name: "other items are listed",
			run: func(name string) any {
				f := langfuse.ObserveSeq(name, func(_ context.Context, q question) iter.Seq2[answer, error] {
					return (&source[answer]{items: oks(chunks...)}).seq()
				})
				vs, _ := collect(f(context.Background(), question{Text: "q"}))
				return vs
			},
			want:      chunks,
			wantInput: `{"text":"q"}`,
			wantOut:   `[{"text":"a","score":1},{"text":"b","score":2}]`,
		},
		{
			name: "TransformOutput shapes the items",
			run: func(name string) any {
				f := langfuse.ObserveSeq(name, func(_ context.Context, n int) iter.Seq2[int, error] {
					return (&source[int]{items: oks(1, 2, 3)}).seq()
				}, observe.TransformOutput(func(items []any) any {
					sum := 0
					for _, it := range items {
						sum += it.(int)
					}
					return map[string]int{"count": len(items), "sum": sum}
				}))
				vs, _ := collect(f(context.Background(), 3))
				return vs
			},
			want:      []int{1, 2, 3},
			wantInput: "3",
			wantOut:   `{"count":3,"sum":6}`,
		},
		{
			name: "empty sequence",
			run: func(name string) any {
				vs, _ := collect(langfuse.ObserveSeq(name, tokens())(context.Background(), "nothing"))
				return vs
			},
			want:      []string(nil),
			wantInput: "nothing",
			wantOut:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t)
			got := tt.run("stream")
			assert.Equal(t, tt.want, got, "items pass through unchanged")
			require.Len(t, rec.Spans(), 1)
			o := find(t, rec, "stream")
			assert.Equal(t, "span", o.Type)
			assert.Equal(t, tt.wantInput, o.Input)
			assert.Equal(t, tt.wantOut, o.Output)
			assert.False(t, o.Failed())
			assert.Empty(t, o.Level)
		})
	}
}

func TestObserveSeqStaysOpenUntilRangeEnds(t *testing.T) {
	_, rec := newClient(t)
	seq := langfuse.ObserveSeq("stream", tokens("a", "b"))(context.Background(), "p")
	assert.Empty(t, rec.Spans(), "open before the range")
	for _, err := range seq {
		assert.NoError(t, err)
		assert.Empty(t, rec.Spans(), "open during the range")
	}
	require.Len(t, rec.Spans(), 1, "ended by the range")
	assert.Equal(t, "ab", find(t, rec, "stream").Output)
}

func TestObserveSeqBreakStopsInnerSequence(t *testing.T) {
	_, rec := newClient(t)
	src := &source[string]{items: oks("a", "b", "c", "d")}
	f := langfuse.ObserveSeq("stream", func(context.Context, string) iter.Seq2[string, error] { return src.seq() })
	var got []string
	for v, err := range f(context.Background(), "p") {
		require.NoError(t, err)
		got = append(got, v)
		if len(got) == 2 {
			break
		}
	}
	assert.Equal(t, []string{"a", "b"}, got)
	assert.EqualValues(t, 2, src.yielded.Load(), "no item after the break")
	assert.True(t, src.returned.Load(), "the inner sequence returned")
	assert.False(t, src.finished.Load(), "the inner sequence was stopped")

	o := find(t, rec, "stream")
	assert.Equal(t, "ab", o.Output, "the items the loop got")
	assert.False(t, o.Failed())
}

func TestObserveSeqAbandonedEndsOnCollection(t *testing.T) {
	_, rec := newClient(t)
	calls := 0
	f := langfuse.ObserveSeq("abandoned", func(ctx context.Context, p string) iter.Seq2[string, error] {
		calls++
		return tokens("never")(ctx, p)
	})
	ranged := langfuse.ObserveSeq("ranged", tokens("x"))

	func() {
		seq := f(context.Background(), "p")
		vs, _ := collect(ranged(context.Background(), "p"))
		require.Equal(t, []string{"x"}, vs)
		_, ok := rec.Find("abandoned")
		assert.False(t, ok, "open while the sequence is reachable")
		runtime.KeepAlive(seq)
	}()

	o := awaitObservation(t, rec, "abandoned")
	assert.Equal(t, 1, calls)
	assert.Equal(t, "WARNING", o.Level)
	assert.Equal(t, "sequence abandoned before it was ranged", o.StatusMessage)
	assert.Equal(t, codes.Unset, o.Status.Code, "a warning, not a failure")
	assert.Equal(t, "p", o.Input)
	assert.NotContains(t, o.Attributes, semconv.ObservationOutput)

	r := find(t, rec, "ranged")
	assert.Empty(t, r.Level, "a ranged sequence is not marked abandoned")
	assert.Equal(t, "x", r.Output)
	n := 0
	for _, s := range rec.Observations() {
		if s.Name == "ranged" {
			n++
		}
	}
	assert.Equal(t, 1, n)
}

func TestObserveSeqErrorItem(t *testing.T) {
	_, rec := newClient(t)
	errCut := fmt.Errorf("stream cut: %w", errQuota)
	src := &source[string]{items: []pair[string]{{v: "a"}, {v: "b"}, {v: "", err: errCut}, {v: "c"}}}
	f := langfuse.ObserveSeq("stream", func(context.Context, string) iter.Seq2[string, error] { return src.seq() })

	vs, errs := collect(f(context.Background(), "p"))
	assert.Equal(t, []string{"a", "b", "", "c"}, vs, "items after the error are delivered")
	require.Len(t, errs, 4)
	assert.Same(t, errCut, errs[2], "the error is passed on unchanged")
	assert.NoError(t, errs[3])
	assert.True(t, src.finished.Load())

	o := find(t, rec, "stream")
	assert.True(t, o.Failed())
	assert.Equal(t, "ERROR", o.Level)
	assert.Equal(t, "stream cut: quota exceeded", o.StatusMessage)
	assert.Equal(t, "stream cut: quota exceeded", o.Status.Description)
	assert.Equal(t, "abc", o.Output, "the items without an error")
}

func TestObserveSeqRangedTwice(t *testing.T) {
	_, rec := newClient(t)
	var calls atomic.Int32
	step := langfuse.Observe1("step", func(_ context.Context, s string) (string, error) { return s, nil })
	f := langfuse.ObserveSeq("stream", func(ctx context.Context, p string) iter.Seq2[string, error] {
		calls.Add(1)
		return func(yield func(string, error) bool) {
			for _, w := range strings.Fields(p) {
				v, err := step(ctx, w)
				if !yield(v, err) {
					return
				}
			}
		}
	})
	outer := langfuse.ObserveCtx("outer", func(ctx context.Context) (string, error) {
		seq := f(ctx, "x y")
		first, _ := collect(seq)
		second, _ := collect(seq)
		return strings.Join(first, "") + "|" + strings.Join(second, ""), nil
	})

	got, err := outer(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "xy|xy", got, "both ranges get every item")
	assert.EqualValues(t, 2, calls.Load(), "the second range calls fn again")

	out := find(t, rec, "outer")
	var streams []langfusetest.Observation
	steps := map[string]int{} // parent id -> steps under it
	for _, o := range rec.Observations() {
		switch o.Name {
		case "stream":
			streams = append(streams, o)
		case "step":
			steps[o.ParentID]++
		}
	}
	require.Len(t, streams, 2, "one observation per range")
	assert.NotEqual(t, streams[0].ID, streams[1].ID)
	for _, s := range streams {
		assert.Equal(t, out.ID, s.ParentID, "siblings under the caller")
		assert.Equal(t, "x y", s.Input)
		assert.Equal(t, "xy", s.Output)
		assert.Equal(t, 2, steps[s.ID], "each range's work nests under its own observation")
	}
}

func TestObserveSeqNesting(t *testing.T) {
	_, rec := newClient(t)
	step := langfuse.Observe1("step", func(_ context.Context, n int) (int, error) { return n * 10, nil })
	f := langfuse.ObserveSeq("stream", func(ctx context.Context, n int) iter.Seq2[int, error] {
		_, _ = langfuse.ObserveCtx("setup", func(context.Context) (int, error) { return 0, nil })(ctx)
		return func(yield func(int, error) bool) {
			for i := 1; i <= n; i++ {
				if !yield(step(ctx, i)) {
					return
				}
			}
		}
	}, observe.AsType(observe.TypeChain))
	outer := langfuse.Observe1("outer", func(ctx context.Context, n int) ([]int, error) {
		vs, _ := collect(f(ctx, n))
		return vs, nil
	}, observe.AsType(observe.TypeAgent))

	got, err := outer(context.Background(), 2)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 20}, got)

	out, s := find(t, rec, "outer"), find(t, rec, "stream")
	assert.Equal(t, out.ID, s.ParentID)
	assert.Equal(t, "chain", s.Type)
	assert.Equal(t, "[10,20]", s.Output)
	assert.Equal(t, s.ID, find(t, rec, "setup").ParentID, "work fn does before returning nests")
	n := 0
	for _, o := range rec.Observations() {
		if o.Name == "step" {
			n++
			assert.Equal(t, s.ID, o.ParentID, "work done while ranged nests")
			assert.Equal(t, s.TraceID, o.TraceID)
		}
	}
	assert.Equal(t, 2, n)
}

func TestObserveSeqCompletionStartTime(t *testing.T) {
	tests := []struct {
		typ   observe.Type
		items []pair[string]
		want  bool
	}{
		{typ: observe.TypeGeneration, items: oks("a", "b"), want: true},
		{typ: observe.TypeEmbedding, items: oks("a"), want: true},
		{typ: observe.TypeGeneration, items: []pair[string]{{err: errQuota}, {v: "a"}}, want: true},
		{typ: observe.TypeGeneration, items: []pair[string]{{err: errQuota}}},
		{typ: observe.TypeGeneration},
		{typ: observe.TypeSpan, items: oks("a")},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d items", tt.typ, len(tt.items)), func(t *testing.T) {
			_, rec := newClient(t)
			f := langfuse.ObserveSeq("llm", func(context.Context, string) iter.Seq2[string, error] {
				return (&source[string]{items: tt.items}).seq()
			}, observe.AsType(tt.typ))

			before := time.Now()
			seq := f(context.Background(), "p")
			var firstOK time.Time
			for _, err := range seq {
				if err == nil && firstOK.IsZero() {
					firstOK = time.Now()
				}
			}
			o := find(t, rec, "llm")
			raw, ok := o.Attributes[semconv.ObservationCompletionStartTime]
			require.Equal(t, tt.want, ok)
			if !tt.want {
				return
			}
			s, err := strconv.Unquote(raw.AsString())
			require.NoError(t, err)
			at, err := time.Parse(time.RFC3339Nano, s)
			require.NoError(t, err)
			assert.False(t, at.Before(before.Truncate(time.Microsecond)), "after the call")
			assert.False(t, at.After(firstOK), "when the first item without an error came")
		})
	}
}

func TestObserveSeqPanicIsRecordedAndRaisedUnchanged(t *testing.T) {
	pv := &panicValue{code: 9}
	tests := []struct {
		name string
		fn   func(context.Context, int) iter.Seq2[int, error]
		body func(v int) // the loop body
	}{
		{
			name: "fn",
			fn:   func(context.Context, int) iter.Seq2[int, error] { panic(pv) },
		},
		{
			name: "sequence",
			fn: func(context.Context, int) iter.Seq2[int, error] {
				return func(yield func(int, error) bool) {
					if yield(1, nil) {
						panic(pv)
					}
				}
			},
		},
		{
			name: "loop body",
			fn: func(context.Context, int) iter.Seq2[int, error] {
				return (&source[int]{items: oks(1, 2)}).seq()
			},
			body: func(v int) {
				if v == 2 {
					panic(pv)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t)
			f := langfuse.ObserveSeq("explodes", tt.fn)
			var got any
			func() {
				defer func() { got = recover() }()
				for v, err := range f(context.Background(), 1) {
					assert.NoError(t, err)
					if tt.body != nil {
						tt.body(v)
					}
				}
			}()
			assert.Same(t, pv, got, "the panic goes on with the original value")

			require.Len(t, rec.Spans(), 1)
			o := find(t, rec, "explodes")
			assert.True(t, o.Failed())
			assert.Equal(t, "panic: &{9}", o.StatusMessage)
			assert.NotContains(t, o.Attributes, semconv.ObservationOutput, "no output on a panic")
			require.Len(t, o.Events, 1)
			assert.Equal(t, "exception", o.Events[0].Name)
		})
	}
}

func TestObserveSeqGoexitEndsObservation(t *testing.T) {
	_, rec := newClient(t)
	f := langfuse.ObserveSeq("exits", func(context.Context, int) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) {
			if yield(1, nil) {
				runtime.Goexit()
			}
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, err := range f(context.Background(), 1) {
			assert.NoError(t, err)
		}
	}()
	<-done
	o := find(t, rec, "exits")
	assert.False(t, o.Failed())
	assert.Equal(t, "[1]", o.Output)
}

func TestObserveSeqCaptureSwitches(t *testing.T) {
	tests := []struct {
		name            string
		envCapture      bool
		opts            []observe.Option
		wantIn, wantOut bool
	}{
		{name: "default on", envCapture: true, wantIn: true, wantOut: true},
		{name: "env off", envCapture: false},
		{name: "env off, wrapper output on", envCapture: false, opts: []observe.Option{observe.CaptureOutput(true)}, wantOut: true},
		{name: "wrapper output off", envCapture: true, opts: []observe.Option{observe.CaptureOutput(false)}, wantIn: true},
		{name: "wrapper input off", envCapture: true, opts: []observe.Option{observe.CaptureInput(false)}, wantOut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t, func(c *config.Config) { c.IOCaptureEnabled = tt.envCapture })
			transformed := false
			opts := append([]observe.Option{observe.TransformOutput(func(items []any) any {
				transformed = true
				return items
			})}, tt.opts...)
			vs, _ := collect(langfuse.ObserveSeq("stream", tokens("a", "b"), opts...)(context.Background(), "secret"))
			assert.Equal(t, []string{"a", "b"}, vs)
			o := find(t, rec, "stream")
			_, hasIn := o.Attributes[semconv.ObservationInput]
			_, hasOut := o.Attributes[semconv.ObservationOutput]
			assert.Equal(t, tt.wantIn, hasIn, "input")
			assert.Equal(t, tt.wantOut, hasOut, "output")
			assert.Equal(t, tt.wantOut, transformed, "items are kept only when the output is captured")
		})
	}
}

func TestObserveSeqTracingDisabledPassesThrough(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	var seen context.Context
	f := langfuse.ObserveSeq("off", func(ctx context.Context, p string) iter.Seq2[string, error] {
		seen = ctx
		return tokens("a", "b")(ctx, p)
	})
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, 1)
	vs, errs := collect(f(ctx, "p"))
	assert.Equal(t, []string{"a", "b"}, vs)
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Equal(t, ctx, seen, "fn gets the caller's ctx")
	assert.Empty(t, rec.Spans())
}

var staticSeq iter.Seq2[string, error] = func(yield func(string, error) bool) { yield("x", nil) }

func TestObserveSeqDisabledDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test also runs this without -race")
	}
	newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	f := langfuse.ObserveSeq("off", func(context.Context, string) iter.Seq2[string, error] { return staticSeq })
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() { _ = f(ctx, "x") })
	assert.Zero(t, allocs)
}

func TestObserveSeqEmptyNameUsesFunctionName(t *testing.T) {
	_, rec := newClient(t)
	collect(langfuse.ObserveSeq("", streamWords)(context.Background(), "a b"))
	find(t, rec, "streamWords")
}

func streamWords(_ context.Context, s string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, w := range strings.Fields(s) {
			if !yield(w, nil) {
				return
			}
		}
	}
}

func TestObserveSeqConcurrentUse(t *testing.T) {
	_, rec := newClient(t)
	step := langfuse.Observe1("step", func(_ context.Context, s string) (string, error) { return s, nil })
	f := langfuse.ObserveSeq("stream", func(ctx context.Context, n int) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for i := range 3 {
				if !yield(step(ctx, fmt.Sprint(n, "-", i))) {
					return
				}
			}
		}
	})
	const calls, ranges = 32, 8
	shared := f(context.Background(), -1)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seq := f(context.Background(), i)
			for j, err := range seq {
				if !assert.NoError(t, err) || strings.HasSuffix(j, "-1") && i%2 == 0 {
					break // half the loops stop early
				}
			}
		}()
	}
	for range ranges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vs, _ := collect(shared)
			assert.Equal(t, []string{"-1-0", "-1-1", "-1-2"}, vs)
		}()
	}
	wg.Wait()

	streams := map[string]langfusetest.Observation{}
	steps := map[string]int{}
	for _, o := range rec.Observations() {
		switch o.Name {
		case "stream":
			streams[o.ID] = o
		case "step":
			steps[o.ParentID]++
		}
	}
	require.Len(t, streams, calls+ranges, "one observation per range")
	shares := 0
	for id, s := range streams {
		assert.Empty(t, s.ParentID)
		n, err := strconv.Atoi(s.Input)
		require.NoError(t, err)
		want, items := fmt.Sprintf("%d-0%d-1%d-2", n, n, n), 3
		if n >= 0 && n%2 == 0 {
			want, items = fmt.Sprintf("%d-0%d-1", n, n), 2
		}
		if n == -1 {
			shares++
		}
		assert.Equal(t, want, s.Output, "input %d", n)
		assert.Equal(t, items, steps[id], "input %d", n)
	}
	assert.Equal(t, ranges, shares)
}
