// Package startctx starts observations and does, or does not, carry on
// under their ctx.
package startctx

import (
	"context"

	"github.com/observe-go/langfuse/observe"
)

func work(ctx context.Context) error { return nil }

func Discarded(ctx context.Context) error {
	_, obs := observe.Start(ctx, "step") // want `the ctx from observe.Start is discarded, so the new observation is not current`
	defer obs.End()
	return work(ctx)
}

func DiscardedChild(ctx context.Context, parent *observe.Observation) {
	_, child := parent.Start(ctx, "child") // want `the ctx from Observation.Start is discarded`
	_ = work(ctx)
	child.End()
}

func DiscardedVar(ctx context.Context, on bool) {
	var _, obs = observe.Start(ctx, "var") // want `the ctx from observe.Start is discarded`
	if on {
		go func() { _ = work(ctx) }()
	}
	obs.End()
}

func DiscardedThenStart(ctx context.Context) {
	_, obs := observe.Start(ctx, "parent") // want `the ctx from observe.Start is discarded`
	child := observe.StartObservation(ctx, "meant-as-child")
	child.End()
	obs.End()
}

func DiscardedDeferredClosure(ctx context.Context) error {
	_, obs := observe.Start(ctx, "step") // want `the ctx from observe.Start is discarded`
	defer func() { obs.End() }()
	return work(ctx)
}

type request struct{ ctx context.Context }

func (r *request) Context() context.Context { return r.ctx }

func DiscardedRequestContext(r *request) error {
	_, obs := observe.Start(r.Context(), "handle") // want `the ctx from observe.Start is discarded`
	defer obs.End()
	return work(r.Context())
}

// Not reported: the work runs under another context than the one the
// observation was started from.
func DiscardedOtherContext(ctx context.Context, r *request) error {
	_, parent := observe.Start(context.Background(), "parent")
	defer parent.End()
	ctx, child := parent.Start(ctx, "child")
	defer child.End()
	_ = work(r.Context())
	return work(ctx)
}

// Not reported: nothing runs before the observation ends, so nothing could
// be its child.
func DiscardedHarmless(ctx context.Context) {
	_, obs := observe.Start(ctx, "step")
	obs.Update(observe.WithOutput(1))
	_ = obs.ID()
	obs.End()
}

// Not reported: the work after End is a sibling.
func DiscardedThenSibling(ctx context.Context) error {
	_, obs := observe.Start(ctx, "first")
	obs.End()
	return work(ctx)
}

// Not reported: the observation's own Start parents its child explicitly.
func DiscardedExplicitChild(ctx context.Context) {
	_, obs := observe.Start(ctx, "parent")
	defer obs.End()
	_, child := obs.Start(ctx, "child")
	child.End()
}

// Not reported: the observation is made current by hand.
func DiscardedThenContext(ctx context.Context) error {
	_, obs := observe.Start(ctx, "step")
	defer obs.End()
	return work(obs.Context(ctx))
}

func NeverUsed(ctx context.Context) error {
	ctx, obs := observe.Start(ctx, "step") // want `ctx from observe.Start is never used, so the new observation is never current: start the work under it with ctx`
	defer obs.End()
	return nil
}

func NeverUsedAssign(ctx context.Context) {
	var obs *observe.Observation
	ctx, obs = observe.Start(ctx, "step") // want `ctx from observe.Start is never used`
	obs.End()
}

// Not reported: the ctx is used, on one path only.
func UsedSometimes(ctx context.Context, on bool) error {
	ctx, obs := observe.Start(ctx, "step")
	defer obs.End()
	if on {
		return work(ctx)
	}
	return nil
}

// Not reported: a loop reads it on the next turn.
func UsedInLoop(ctx context.Context, n int) {
	for i := 0; i < n; i++ {
		_ = work(ctx)
		var obs *observe.Observation
		ctx, obs = observe.Start(ctx, "turn")
		obs.End()
	}
}

// Not reported: a deferred closure set up before reads the new value.
func UsedByDeferBefore(ctx context.Context) {
	defer func() { _ = work(ctx) }()
	ctx, obs := observe.Start(ctx, "step")
	obs.End()
}

// Not reported: a closure after it captures it.
func UsedInClosure(ctx context.Context) func() error {
	ctx, obs := observe.Start(ctx, "step")
	defer obs.End()
	return func() error { return work(ctx) }
}

// Not reported: a named result, which the bare return reads.
func NamedResult(in context.Context) (ctx context.Context) {
	ctx, obs := observe.Start(in, "step")
	obs.End()
	return
}

// Not reported: stored in a field.
type holder struct{ ctx context.Context }

func (h *holder) Stored(ctx context.Context) {
	var obs *observe.Observation
	h.ctx, obs = observe.Start(ctx, "step")
	obs.End()
}

// Not reported: a ctx declared in an enclosing function.
func Captured(ctx context.Context) func() {
	return func() {
		var obs *observe.Observation
		ctx, obs = observe.Start(ctx, "step")
		obs.End()
	}
}

// Not reported: StartObservation returns no ctx to lose.
func Sibling(ctx context.Context) {
	obs := observe.StartObservation(ctx, "sibling")
	defer obs.End()
}
