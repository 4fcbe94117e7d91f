package langfuse_test

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// engShape is one of the call shapes the observation engine observes: run
// records body as one observation named name under ctx, and body gets the
// ctx in which that observation is current.
type engShape struct {
	name string
	run  func(t *testing.T, ctx context.Context, name string, body func(context.Context))
}

// engShapes are every call shape whose body runs with the observation's
// ctx: the generic wrappers, the three places of an ObserveSeq, a handler,
// Run, and a manual observation ended by a deferred End.
func engShapes() []engShape {
	return []engShape{
		{"ObserveCtx", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.ObserveCtx(name, func(ctx context.Context) (int, error) { body(ctx); return 1, nil })(ctx)
		}},
		{"Observe1", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.Observe1(name, func(ctx context.Context, a int) (int, error) { body(ctx); return a, nil })(ctx, 1)
		}},
		{"Observe2", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.Observe2(name, func(ctx context.Context, a, b int) (int, error) { body(ctx); return a + b, nil })(ctx, 1, 2)
		}},
		{"Observe3", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.Observe3(name, func(ctx context.Context, a, b, c int) (int, error) { body(ctx); return a + b + c, nil })(ctx, 1, 2, 3)
		}},
		{"ObserveErr", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_ = langfuse.ObserveErr(name, func(ctx context.Context) error { body(ctx); return nil })(ctx)
		}},
		{"ObserveSeq/fn", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			seq := langfuse.ObserveSeq(name, func(ctx context.Context, a int) iter.Seq2[int, error] {
				body(ctx)
				return func(yield func(int, error) bool) { yield(a, nil) }
			})
			for _, err := range seq(ctx, 1) {
				require.NoError(t, err)
			}
		}},
		{"ObserveSeq/sequence", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			seq := langfuse.ObserveSeq(name, func(ctx context.Context, a int) iter.Seq2[int, error] {
				return func(yield func(int, error) bool) {
					body(ctx)
					yield(a, nil)
				}
			})
			for _, err := range seq(ctx, 1) {
				require.NoError(t, err)
			}
		}},
		{"ObserveHandler", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			h := langfuse.ObserveHandler(name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body(r.Context())
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodGet, "/items?id=1", nil))
		}},
		{"Run", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.Run(ctx, name, func(ctx context.Context) (int, error) { body(ctx); return 1, nil })
		}},
		{"observe.Start with deferred End", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			ctx, o := observe.Start(ctx, name)
			defer o.End()
			body(ctx)
		}},
	}
}

// engLoopBody is the one shape whose body does not run under the
// observation: the body of a loop over an observed sequence, which the
// observation still outlives.
var engLoopBody = engShape{"ObserveSeq/loop body", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
	seq := langfuse.ObserveSeq(name, func(_ context.Context, a int) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) { _ = yield(a, nil) && yield(a+1, nil) }
	})
	for _, err := range seq(ctx, 1) {
		require.NoError(t, err)
		body(ctx)
	}
}}

// TestConcurrentUpdateCurrentInsideWrappedCall checks that goroutines
// fanned out by a wrapped call can update its observation and read it
// through observe.Current all at once: no data race (run with -race),
// every metadata key arrives, and every reader sees the call's own
// observation with its type. Before the engine kept the type in its own
// record, Current read it back from the live span's attributes, which
// raced with these updates under any SDK whose ReadOnlySpan.Attributes
// hands out the span's own slice (the OpenTelemetry SDK v1.44 did;
// v1.46 copies on write).
func TestConcurrentUpdateCurrentInsideWrappedCall(t *testing.T) {
	_, rec := newClient(t)
	// Every goroutine updates many times, so that the span holds repeated
	// keys while others read the observation.
	const writers, readers, rounds = 32, 16, 20
	var ids [readers]string
	var types [readers]observe.Type
	f := langfuse.Observe1("fan-out", func(ctx context.Context, n int) (int, error) {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				<-start
				for range rounds {
					observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{fmt.Sprintf("k%02d", i): i}))
				}
			})
		}
		for i := range readers {
			wg.Go(func() {
				<-start
				for j := range rounds {
					o := observe.Current(ctx)
					ids[i], types[i] = o.ID(), o.Type()
					o.Update(observe.WithModel("m"), observe.WithUsage(map[string]int{"input": j}))
				}
			})
		}
		close(start)
		wg.Wait()
		return n, nil
	}, observe.AsType(observe.TypeGeneration))

	got, err := f(context.Background(), 7)
	require.NoError(t, err)
	assert.Equal(t, 7, got)

	o := find(t, rec, "fan-out")
	assert.Equal(t, "generation", o.Type)
	assert.Equal(t, "m", o.Attr(semconv.ObservationModel))
	for i := range writers {
		key := fmt.Sprintf("k%02d", i)
		if assert.Contains(t, o.Metadata, key, "metadata from writer %d arrived", i) {
			assert.Equal(t, int64(i), o.Metadata[key].AsInt64(), key)
		}
	}
	for i := range readers {
		assert.Equal(t, o.ID, ids[i], "reader %d sees the call's observation", i)
		assert.Equal(t, observe.TypeGeneration, types[i], "reader %d sees its type", i)
	}
	assert.False(t, o.Failed())
}

// TestErrorLevelAndStatusMessageInSeparateUpdates checks that the error
// state of an observation is one, whichever update set which part: level
// ERROR in one UpdateCurrent and the status message in the next (or the
// other way round) make OpenTelemetry status Error with that message.
func TestErrorLevelAndStatusMessageInSeparateUpdates(t *testing.T) {
	orders := []struct {
		name    string
		updates []observe.Option
	}{
		{"level then message", []observe.Option{observe.WithLevel(observe.LevelError), observe.WithStatusMessage("why")}},
		{"message then level", []observe.Option{observe.WithStatusMessage("why"), observe.WithLevel(observe.LevelError)}},
	}
	for _, sh := range engShapes() {
		for _, order := range orders {
			t.Run(sh.name+"/"+order.name, func(t *testing.T) {
				_, rec := newClient(t)
				sh.run(t, context.Background(), "fails", func(ctx context.Context) {
					for _, u := range order.updates {
						observe.UpdateCurrent(ctx, u)
					}
				})
				o := find(t, rec, "fails")
				assert.Equal(t, semconv.LevelError, o.Level)
				assert.Equal(t, "why", o.StatusMessage)
				assert.Equal(t, codes.Error, o.Status.Code, "OpenTelemetry status")
				assert.Equal(t, "why", o.Status.Description, "OpenTelemetry status description")
			})
		}
	}
}

// TestSelfReferentialPanicValueThroughEveryShape checks that a panic
// whose value holds itself, which fmt.Sprint formats forever, goes through
// every observed shape: the process survives, the caller recovers the
// very same value, and the observation is ERROR with a bounded
// "panic: ..." status message.
func TestSelfReferentialPanicValueThroughEveryShape(t *testing.T) {
	values := []struct {
		name string
		make func() any
	}{
		{"map holding itself", func() any {
			m := map[string]any{}
			m["self"] = m
			return m
		}},
		{"slice holding itself", func() any {
			s := make([]any, 1)
			s[0] = s
			return s
		}},
	}
	for _, sh := range append(engShapes(), engLoopBody) {
		for _, v := range values {
			t.Run(sh.name+"/"+v.name, func(t *testing.T) {
				_, rec := newClient(t)
				pv := v.make()
				var got any
				func() {
					defer func() { got = recover() }()
					sh.run(t, context.Background(), "boom", func(context.Context) { panic(pv) })
				}()
				// Neither value is ever handed to testify, which would
				// format it forever should an assertion fail.
				require.True(t, got != nil, "the panic reaches the caller")
				require.Equal(t, reflect.TypeOf(pv), reflect.TypeOf(got), "the panic value keeps its type")
				assert.Equal(t, reflect.ValueOf(pv).UnsafePointer(), reflect.ValueOf(got).UnsafePointer(),
					"the panic goes on with the very same value")

				o := find(t, rec, "boom")
				assert.True(t, o.Failed(), "level ERROR and status Error")
				assert.True(t, strings.HasPrefix(o.StatusMessage, "panic: "), "status message %.200q", o.StatusMessage)
				assert.Less(t, len(o.StatusMessage), 10<<10, "the status message is bounded")
				assert.Equal(t, o.StatusMessage, o.Status.Description)
				assert.True(t, slices.ContainsFunc(o.Events, func(e sdktrace.Event) bool { return e.Name == "exception" }),
					"an exception event")
			})
		}
	}
}
