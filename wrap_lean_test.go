package langfuse_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// The wrappers below capture no argument, so their calls keep no record
// of their own (the lean path): they must record what a call with a
// record records.

// TestLeanCallRecordsItsEnding checks errors, panics, runtime.Goexit and
// the output of wrapped calls without a record.
func TestLeanCallRecordsItsEnding(t *testing.T) {
	c, rec := newClient(t)
	ctx := c.Context(context.Background())
	boom := errors.New("boom")

	ok := langfuse.ObserveCtx("ok", func(context.Context) (string, error) { return "fine", nil })
	out, err := ok(ctx)
	require.NoError(t, err)
	assert.Equal(t, "fine", out, "the result is returned unchanged")
	o := find(t, rec, "ok")
	assert.Equal(t, "fine", o.Output, "the result is the output")
	assert.Equal(t, semconv.TypeSpan, o.Type)
	assert.False(t, o.Failed())

	failing := langfuse.Observe1("failing", func(context.Context, int) (string, error) { return "partial", boom },
		observe.CaptureInput(false))
	out, err = failing(ctx, 1)
	assert.Same(t, boom, err, "the error is returned unchanged")
	assert.Equal(t, "partial", out, "the result is returned unchanged")
	o = find(t, rec, "failing")
	assert.Equal(t, semconv.LevelError, o.Level)
	assert.Equal(t, "boom", o.StatusMessage)
	assert.Equal(t, codes.Error, o.Status.Code)
	assert.Empty(t, o.Output, "a failed call has no output")
	assert.Empty(t, o.Input, "the input is not captured")
	require.Len(t, o.Events, 1)
	assert.Equal(t, "exception", o.Events[0].Name)

	type payload struct{ N int }
	panicking := langfuse.ObserveErr1("panicking", func(context.Context, int) error { panic(payload{7}) },
		observe.CaptureInput(false))
	assert.PanicsWithValue(t, payload{7}, func() { _ = panicking(ctx, 1) }, "the panic goes on with the same value")
	o = find(t, rec, "panicking")
	assert.Equal(t, semconv.LevelError, o.Level)
	assert.Contains(t, o.StatusMessage, "panic: ")

	exiting := langfuse.ObserveErr("exiting", func(context.Context) error {
		runtime.Goexit()
		return nil
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = exiting(ctx)
	}()
	wg.Wait()
	o = find(t, rec, "exiting")
	assert.False(t, o.Failed(), "runtime.Goexit ends the observation as it is")
}

// TestLeanCallCurrentObservation checks that code inside a call without a
// record finds an observation of its own: updates reach the call's span,
// End leaves it to the wrapper, and children nest under it.
func TestLeanCallCurrentObservation(t *testing.T) {
	c, rec := newClient(t)
	ctx := c.Context(context.Background())

	child := langfuse.ObserveCtx("child", func(context.Context) (int, error) { return 1, nil })
	parent := langfuse.ObserveCtx("parent", func(ctx context.Context) (int, error) {
		cur := observe.Current(ctx)
		assert.True(t, cur.IsRecording())
		assert.Equal(t, semconv.TypeSpan, string(cur.Type()))
		cur.Update(observe.WithMetadata(map[string]any{"step": "one"}), observe.WithInput("explicit"))
		cur.End() // the wrapper ends the call, not this
		observe.UpdateCurrent(ctx, observe.WithLevel(semconv.LevelWarning))
		return child(ctx)
	}, observe.CaptureOutput(false))
	_, err := parent(ctx)
	require.NoError(t, err)

	p, ch := find(t, rec, "parent"), find(t, rec, "child")
	assert.Equal(t, "one", p.Metadata["step"].AsString())
	assert.Equal(t, "explicit", p.Input, "an input given explicitly is recorded")
	assert.Empty(t, p.Output, "output capture is off")
	assert.Equal(t, semconv.LevelWarning, p.Level)
	assert.Equal(t, p.ID, ch.ParentID, "a child nests under the call")
	assert.Equal(t, p.TraceID, ch.TraceID)
	assert.Len(t, rec.Spans(), 2, "the call's span ends once")
}

// TestLeanCallUsesTheClientOfItsContext checks that a call without a
// record, and its children, are recorded by the client bound to the
// call's ctx, not by the default one.
func TestLeanCallUsesTheClientOfItsContext(t *testing.T) {
	_, defRec := newClient(t)
	other, otherRec := newClientWith(t, nil, langfuse.AsDefault(false))
	child := langfuse.ObserveCtx("child", func(context.Context) (int, error) { return 1, nil })
	parent := langfuse.ObserveCtx("parent", func(ctx context.Context) (int, error) { return child(ctx) })

	_, err := parent(other.Context(context.Background()))
	require.NoError(t, err)
	find(t, otherRec, "parent")
	find(t, otherRec, "child")
	assert.Empty(t, defRec.Spans(), "the default client records nothing of it")
}
