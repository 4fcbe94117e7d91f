package langfuse

import (
	"context"
	"iter"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/observe"
)

// abandonedSeqMessage is the status message of an observation whose
// sequence was dropped without being ranged.
const abandonedSeqMessage = "sequence abandoned before it was ranged"

// ObserveSeq returns fn observed, for functions that stream their results
// as a sequence of items and errors, such as the tokens of a model's
// answer.
//
// Calling the returned function starts an observation named name (fn's
// own name when name is "") at once, as a child of the observation in the
// caller's ctx, with the argument as its input, and calls fn with a ctx in
// which the new observation is current. Work that fn's sequence does while
// it is ranged nests under the observation, as long as the sequence uses
// that ctx. The observation lasts from the call until the loop over the
// sequence ends, because the sequence is done or the loop stopped early.
//
// Items are passed on unchanged, and breaking out of the loop stops fn's
// sequence. When output capture is on, the output is the items the loop
// got: their concatenation when every item is a string, else their list,
// or what the observe.TransformOutput function makes of them; items that
// come with a non-nil error are left out. Only about as many items as the
// output can hold (LANGFUSE_CAPTURE_MAX_BYTES) are kept while the loop
// runs, and the output ends with a note of how many more were not
// recorded; a TransformOutput function gets every item. When output
// capture is off, items are not kept. An item with a non-nil error marks the observation with level
// ERROR and the error's text as status message (the last error's, if
// there are several); the item is passed on like any other, and the
// observation ends when the loop does, so items after it are delivered and
// recorded too. For generation and embedding observations the first item
// without an error records the completion start time.
//
// A panic in fn, in its sequence or in the body of the loop is recorded
// as ObserveCtx records one, and goes on with the same value. A sequence
// or loop body that leaves through runtime.Goexit ends the observation
// without an error.
//
// A sequence is meant to be ranged once. The first range ends the
// observation the call started. Each later range, concurrent or not,
// starts a new observation, a sibling of the first under the caller's
// ctx, calls fn again with a ctx holding it and ranges the sequence fn
// returns, so that every range is observed and nests on its own; work fn
// does before returning its sequence is therefore done again.
//
// A sequence that is dropped without being ranged leaves its observation
// open until the garbage collector finds the sequence unreachable; then
// the observation ends with level WARNING and the status message
// "sequence abandoned before it was ranged", without output. That happens only when the garbage collector runs,
// possibly long after, and not at all if the program exits first.
//
// When tracing is off at call time, the returned function returns
// fn(ctx, a) itself. The returned function is safe for concurrent use, and
// so is each sequence it returns when fn is.
func ObserveSeq[A, T any](name string, fn func(context.Context, A) iter.Seq2[T, error], opts ...observe.Option) func(context.Context, A) iter.Seq2[T, error] {
	sp := newSpec(name, fn, opts)
	return func(ctx context.Context, a A) iter.Seq2[T, error] {
		st := core.ClientFrom(ctx)
		if st == nil {
			return fn(ctx, a)
		}
		r, inner := startSeq(ctx, st, sp, a, fn)
		first := &seqFirst{r: r}
		c := &seqCall[A, T]{ctx: ctx, a: a, inner: inner}
		// The cleanup's argument must not reach c, or c is never collected.
		c.cleanup = runtime.AddCleanup(c, abandonSeq, first)
		return func(yield func(T, error) bool) {
			if first.taken.CompareAndSwap(false, true) {
				c.cleanup.Stop()
				rangeSeq(sp, first.r, c.inner, yield)
				return
			}
			st := core.ClientFrom(c.ctx)
			if st == nil {
				for v, err := range fn(c.ctx, c.a) {
					if !yield(v, err) {
						return
					}
				}
				return
			}
			r, inner := startSeq(c.ctx, st, sp, c.a, fn)
			rangeSeq(sp, r, inner, yield)
		}
	}
}

// seqCall is what a sequence returned by ObserveSeq needs from the call
// that made it. Only that sequence refers to it, so it becomes unreachable
// with the sequence, which its cleanup notices.
type seqCall[A, T any] struct {
	// ctx is the caller's, kept past the call because later ranges start
	// their observations in it.
	ctx     context.Context
	a       A
	inner   iter.Seq2[T, error]
	cleanup runtime.Cleanup
}

// seqFirst is the observation started by a call of an ObserveSeq function,
// owned by whichever comes first: the first range, or the cleanup of a
// sequence that was never ranged.
type seqFirst struct {
	taken atomic.Bool
	r     *core.Record
}

// abandonSeq ends the observation of a sequence that became unreachable
// without being ranged.
func abandonSeq(f *seqFirst) {
	if !f.taken.CompareAndSwap(false, true) {
		return
	}
	s := core.Resolve(core.Options([]observe.Option{observe.WithLevel(observe.LevelWarning), observe.WithStatusMessage(abandonedSeqMessage)}))
	// Cleanups share one goroutine, and ending a span may export it
	// synchronously.
	go f.r.End(&s, core.Ending{})
}

// startSeq starts the observation of one call and calls fn under it. A
// panic in fn is recorded and goes on; fn leaving through runtime.Goexit
// ends the observation as it is.
func startSeq[A, T any](ctx context.Context, st *global.State, sp *core.Spec, a A, fn func(context.Context, A) iter.Seq2[T, error]) (r *core.Record, seq iter.Seq2[T, error]) {
	if sp.CaptureInput(st) {
		ctx, r = sp.Begin(ctx, st, a)
	} else {
		ctx, r = sp.Begin(ctx, st)
	}
	done := false
	defer r.Guard(&done, nil)
	seq = fn(ctx, a)
	done = true
	return r, seq
}

// rangeSeq ranges seq for yield as the observation r, and ends r when the
// range ends: with the items as output, or as a panic that goes on
// unchanged.
func rangeSeq[T any](sp *core.Spec, r *core.Record, seq iter.Seq2[T, error], yield func(T, error) bool) {
	collect := r.CapturesOutput()
	started := !core.GenerationLike(sp.Type()) || !r.IsRecording()
	items := seqItems{keepAll: sp.HasTransform(), limit: captureLimit(r)}
	// finish ends r with what the loop got, whether the range ended or
	// left through runtime.Goexit.
	finish := func() {
		if !collect {
			r.End(nil, core.Ending{})
			return
		}
		var out any
		if _, isString := any(*new(T)).(string); isString && len(items.kept) == 0 {
			out = "" // an empty text stream
		} else {
			out = sp.ItemsOutput(items.result())
		}
		r.End(nil, core.Ending{Returned: true, Output: out, Details: generationOf})
	}
	done := false
	defer r.Guard(&done, finish)
	seq(func(v T, err error) bool {
		if err != nil {
			r.RecordError(err)
		} else {
			if !started {
				started = true
				r.SetCompletionStart(time.Now())
			}
			if collect {
				items.add(v)
			}
		}
		return yield(v, err)
	})
	done = true
	finish()
}

// seqItems are the items a sequence's output is made of. Only what the
// output can hold is kept: once the items kept would take more than the
// capture limit, later items are counted, not kept, so a long stream of
// large items holds about one limit's worth of memory, not the stream. A
// TransformOutput function gets every item, as it asked.
type seqItems struct {
	keepAll bool
	limit   int
	kept    []any
	size    int // bytes the kept items take when encoded, about
	left    int // items not kept
}

func (s *seqItems) add(v any) {
	if s.keepAll {
		s.kept = append(s.kept, v)
		return
	}
	if s.left > 0 {
		s.left++
		return
	}
	n := encodedSize(v, s.limit) + 1 // and a comma
	if len(s.kept) > 0 && s.size+n > s.limit-noteRoom {
		s.left++
		return
	}
	s.kept, s.size = append(s.kept, v), s.size+n
}

// noteRoom is kept free of items for the note of those left out.
const noteRoom = 48

// result is the items kept, followed by a visible note of those left out.
func (s *seqItems) result() []any {
	if s.left == 0 {
		return s.kept
	}
	return append(s.kept, "…["+strconv.Itoa(s.left)+" more items not recorded]")
}

// encodedSize is about how many bytes v takes in the output, at most
// limit plus a little: a string its length, anything else its encoding.
func encodedSize(v any, limit int) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	return len(capture.JSON(v, capture.Options{MaxBytes: limit}))
}

// captureLimit is the capture limit of r's client.
func captureLimit(r *core.Record) int {
	if st := r.Client(); st != nil && st.MaxBytes > 0 {
		return st.MaxBytes
	}
	return capture.DefaultMaxBytes
}
