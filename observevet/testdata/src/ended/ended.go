// Package ended starts observations and does, or does not, end them on
// every path.
package ended

import (
	"context"
	"errors"

	"github.com/observe-go/langfuse/observe"
)

func work(ctx context.Context) error { return nil }

func finish(o *observe.Observation) { o.End() }

func Never(ctx context.Context) error {
	ctx, obs := observe.Start(ctx, "step") // want `obs from observe.Start is never ended, so it is never exported: add defer obs.End\(\) after the start`
	obs.Update(observe.WithOutput("x"))
	return work(ctx)
}

func NeverSibling(ctx context.Context) {
	obs := observe.StartObservation(ctx, "sibling") // want `obs from observe.StartObservation is never ended`
	obs.RecordError(errors.New("x"))
}

func NeverChild(ctx context.Context, parent *observe.Observation) {
	child := parent.StartObservation("child") // want `child from Observation.StartObservation is never ended`
	_ = child.TraceID()
}

func ThrownAway(ctx context.Context) {
	observe.StartObservation(ctx, "lost") // want `the observation from observe.StartObservation is thrown away and never ended`
}

func Discarded(ctx context.Context) error {
	ctx, _ = observe.Start(ctx, "lost") // want `the observation from observe.Start is discarded and never ended`
	return work(ctx)
}

func EarlyReturn(ctx context.Context) error {
	ctx, obs := observe.Start(ctx, "step") // want `obs from observe.Start is not ended on every path \(the return at line 44 leaves it open`
	if err := work(ctx); err != nil {
		return err
	}
	obs.End()
	return nil
}

func ReturnBeforeDefer(ctx context.Context) error {
	ctx, obs := observe.Start(ctx, "step") // want `not ended on every path \(the return at line 53`
	if err := work(ctx); err != nil {
		return err
	}
	defer obs.End()
	return work(ctx)
}

func FallsOff(ctx context.Context, on bool) {
	ctx, obs := observe.Start(ctx, "step") // want `not ended on every path \(the return at line 65`
	if on {
		obs.End()
	}
	_ = work(ctx)
}

func InLiteral() func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, obs := observe.Start(ctx, "lit") // want `obs from observe.Start is never ended`
		_ = obs.ID()
		return work(ctx)
	}
}

// Not reported: deferred End right away.
func Deferred(ctx context.Context) error {
	ctx, obs := observe.Start(ctx, "step")
	defer obs.End()
	return work(ctx)
}

// Not reported: ended on each path by hand.
func EachPath(ctx context.Context) error {
	ctx, obs := observe.Start(ctx, "step")
	if err := work(ctx); err != nil {
		obs.RecordError(err)
		obs.End()
		return err
	}
	obs.End()
	return nil
}

// Not reported: ended through the value Update returns.
func Chained(ctx context.Context) {
	obs := observe.StartObservation(ctx, "step")
	obs.Update(observe.WithOutput(1)).End()
}

// Not reported: returned to the caller, who ends it.
func Returned(ctx context.Context) (context.Context, *observe.Observation) {
	ctx, obs := observe.Start(ctx, "step")
	return ctx, obs
}

// Not reported: handed to another function.
func Handed(ctx context.Context) {
	obs := observe.StartObservation(ctx, "step")
	finish(obs)
}

// Not reported: stored in a field.
type job struct{ obs *observe.Observation }

func (j *job) Stored(ctx context.Context) {
	obs := observe.StartObservation(ctx, "step")
	j.obs = obs
}

func (j *job) StoredDirect(ctx context.Context) {
	j.obs = observe.StartObservation(ctx, "step")
}

// Not reported: ended by a goroutine.
func Goroutine(ctx context.Context, done chan struct{}) {
	obs := observe.StartObservation(ctx, "step")
	go func() {
		<-done
		obs.End()
	}()
}

// Not reported: captured by the closure that ends it.
func Closure(ctx context.Context) func() {
	obs := observe.StartObservation(ctx, "step")
	return func() { obs.End() }
}

// Not reported: ended in a loop that the graph may skip but that runs.
func EndedInLoop(ctx context.Context) {
	obs := observe.StartObservation(ctx, "shared")
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			obs.Update(observe.WithOutput(i))
			obs.End()
			done <- struct{}{}
		}()
	}
	for range 4 {
		<-done
	}
}

func EndedInRange(ctx context.Context, items []int) {
	obs := observe.StartObservation(ctx, "each")
	for range items {
		obs.End()
	}
}

// Reported: the loop holds the start as well, and a turn can return
// without ending the observation it started.
func LoopLeak(ctx context.Context, items []int) error {
	for range items {
		ctx, obs := observe.Start(ctx, "turn") // want `obs from observe.Start is not ended on every path`
		if err := work(ctx); err != nil {
			return err
		}
		obs.End()
	}
	return nil
}

// Not reported: a deferred closure set up before the start ends it.
func DeferredBefore(ctx context.Context) error {
	var obs *observe.Observation
	defer func() { obs.End() }()
	ctx, obs = observe.Start(ctx, "step")
	return work(ctx)
}

// Not reported: ended through the ctx that holds it.
func ThroughCurrent(ctx context.Context) {
	ctx, obs := observe.Start(ctx, "step")
	_ = obs.ID()
	observe.Current(ctx).End()
}

// Not reported: ended in the same expression, or a result.
func SameExpression(ctx context.Context) *observe.Observation {
	observe.StartObservation(ctx, "now").End()
	return observe.StartObservation(ctx, "later")
}

// Not reported: a panic path, which the deferred End would cover, has no
// return to leak through.
func Panics(ctx context.Context, bad bool) {
	obs := observe.StartObservation(ctx, "step")
	if bad {
		panic("bad")
	}
	obs.End()
}

// Not reported: CreateEvent's event is ended already.
func Event(ctx context.Context) {
	observe.CreateEvent(ctx, "event")
}

// Not reported: a nil test may guard its own End.
func NilTest(ctx context.Context) *observe.Observation {
	obs := observe.StartObservation(ctx, "step")
	if obs == nil {
		return nil
	}
	obs.End()
	return nil
}

// Reported: assigning to the blank identifier hands nothing on.
func NeverBlank(ctx context.Context) {
	obs := observe.StartObservation(ctx, "blank") // want `obs from observe.StartObservation is never ended`
	_ = obs
}

// Reported: the deferred closure that ends it comes after a return.
func ReturnBeforeDeferredClosure(ctx context.Context) (err error) {
	ctx, obs := observe.Start(ctx, "step") // want `obs from observe.Start is not ended on every path`
	if err := work(ctx); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			obs.RecordError(err)
		}
		obs.End()
	}()
	return work(ctx)
}

// Not reported: a closure that ends it is kept to be called later.
func KeptClosure(ctx context.Context) error {
	obs := observe.StartObservation(ctx, "step")
	end := func() { obs.End() }
	if err := work(ctx); err != nil {
		return err
	}
	end()
	return nil
}
