package observe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// recoverFrom runs f and returns the value it panicked with, nil if none.
func recoverFrom(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}

// stackOf returns the stack trace of o's exception event, "" when it has
// none.
func stackOf(o langfusetest.Observation) string {
	for _, e := range o.Events {
		if e.Name != "exception" {
			continue
		}
		for _, kv := range e.Attributes {
			if kv.Key == "exception.stacktrace" {
				return kv.Value.AsString()
			}
		}
	}
	return ""
}

// assertPanicRecorded checks that o records the panic "boom" that
// TestDeferredEndRecordsPanic raises.
func assertPanicRecorded(t *testing.T, o langfusetest.Observation) {
	t.Helper()
	assert.Equal(t, semconv.LevelError, o.Level)
	assert.Equal(t, "panic: boom", o.StatusMessage)
	assert.Equal(t, codes.Error, o.Status.Code)
	assert.Equal(t, "panic: boom", o.Status.Description)
	assert.Contains(t, stackOf(o), "TestDeferredEndRecordsPanic", "an exception event with the stack of the panic")
}

// TestDeferredEndRecordsPanic checks that End deferred right after Start
// records a panic that passes through it and lets it go on unchanged, as
// a Python with-block does.
func TestDeferredEndRecordsPanic(t *testing.T) {
	t.Run("defer o.End()", func(t *testing.T) {
		h := setup(t)
		got := recoverFrom(func() {
			_, o := observe.Start(context.Background(), "guarded")
			defer o.End()
			panic("boom")
		})
		assert.Equal(t, "boom", got, "the panic goes on unchanged")
		assertPanicRecorded(t, h.find(t, "guarded"))
	})

	t.Run("the very same value", func(t *testing.T) {
		h := setup(t)
		pv := &struct{ code int }{7}
		got := recoverFrom(func() {
			_, o := observe.Start(context.Background(), "guarded")
			defer o.End()
			panic(pv)
		})
		assert.Same(t, pv, got)
		o := h.find(t, "guarded")
		assert.Equal(t, "panic: &{7}", o.StatusMessage)
		assert.Equal(t, semconv.LevelError, o.Level)
	})

	t.Run("defer o.End(WithOutput)", func(t *testing.T) {
		h := setup(t)
		got := recoverFrom(func() {
			_, o := observe.Start(context.Background(), "guarded")
			defer o.End(observe.WithOutput("x"))
			panic("boom")
		})
		assert.Equal(t, "boom", got)
		o := h.find(t, "guarded")
		assert.Equal(t, "x", o.Output, "End's options are applied")
		assertPanicRecorded(t, o)
	})

	t.Run("nested observations", func(t *testing.T) {
		h := setup(t)
		got := recoverFrom(func() {
			ctx, parent := observe.Start(context.Background(), "parent")
			defer parent.End()
			_, child := observe.Start(ctx, "child")
			defer child.End()
			panic("boom")
		})
		assert.Equal(t, "boom", got)
		parent, child := h.find(t, "parent"), h.find(t, "child")
		assertPanicRecorded(t, parent)
		assertPanicRecorded(t, child)
		assert.Equal(t, parent.ID, child.ParentID)
	})

	t.Run("a second End changes nothing", func(t *testing.T) {
		h := setup(t)
		var o *observe.Observation
		got := recoverFrom(func() {
			_, o = observe.Start(context.Background(), "guarded")
			defer o.End(observe.WithOutput("late"), observe.WithLevel(observe.LevelDebug))
			defer o.End(observe.WithOutput("first"))
			panic("boom")
		})
		assert.Equal(t, "boom", got, "the panic goes on through both Ends")
		require.NotPanics(t, func() { o.End(observe.WithOutput("after"), observe.WithStatusMessage("after")) })
		obs := h.rec.Observations()
		require.Len(t, obs, 1, "ended once")
		assert.Equal(t, "first", obs[0].Output)
		assertPanicRecorded(t, obs[0])
		assert.Len(t, obs[0].Events, 1, "the panic is recorded once")
	})
}

// TestEndNotDeferredNeverStopsPanic checks that End called from inside a
// deferred function, rather than deferred itself, leaves the panic alone:
// the deferred function's own recover still gets it.
func TestEndNotDeferredNeverStopsPanic(t *testing.T) {
	tests := []struct {
		name    string
		recover bool // the deferred function recovers after End
	}{
		{"deferred func recovers", true},
		{"deferred func lets it go on", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t)
			var inner any
			outer := recoverFrom(func() {
				_, o := observe.Start(context.Background(), "ended-in-defer")
				defer func() {
					o.End()
					if tt.recover {
						inner = recover()
					}
				}()
				panic("boom")
			})
			if tt.recover {
				assert.Equal(t, "boom", inner, "End did not swallow the panic")
				assert.Nil(t, outer)
			} else {
				assert.Equal(t, "boom", outer, "End did not swallow the panic")
			}
			obs := h.rec.Observations()
			require.Len(t, obs, 1, "End ended the observation")
			assert.Equal(t, "ended-in-defer", obs[0].Name)
		})
	}
}

// TestDeferredEndWithoutPanic checks that a deferred End on the normal
// path records nothing about a panic.
func TestDeferredEndWithoutPanic(t *testing.T) {
	h := setup(t)
	func() {
		_, o := observe.Start(context.Background(), "calm")
		defer o.End(observe.WithOutput("done"))
	}()
	o := h.find(t, "calm")
	assert.Empty(t, o.Level)
	assert.Equal(t, codes.Unset, o.Status.Code)
	assert.Equal(t, "done", o.Output)
	assert.Empty(t, o.Events)
}
