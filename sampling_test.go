package langfuse_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// TestSampleRateAppliesToTracesTheProgramMadeUp checks that a trace id the
// program made itself starts a new trace, which the sample rate decides,
// while a parent from another service keeps its own decision.
func TestSampleRateAppliesToTracesTheProgramMadeUp(t *testing.T) {
	traceID := observe.CreateTraceID("order-1")
	for _, tt := range []struct {
		name   string
		rate   float64
		parent string
		want   bool
	}{
		{"made-up parent, rate 0", 0, "", false},
		{"made-up parent, rate 1", 1, "", true},
		{"parent of another service, rate 0", 0, "00f067aa0ba902b7", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t, func(c *config.Config) { c.SampleRate = tt.rate })
			ctx, root := observe.Start(context.Background(), "root", observe.WithTraceContext(traceID, tt.parent))
			_, child := observe.Start(ctx, "child")
			child.End()
			root.End()
			assert.Equal(t, tt.want, len(rec.Spans()) > 0, "recorded")
			if !tt.want {
				assert.Empty(t, rec.Spans(), "the whole trace is dropped")
				return
			}
			assert.Len(t, rec.Spans(), 2, "the whole trace is kept")
			got := find(t, rec, "root")
			assert.Equal(t, traceID, got.TraceID)
			assert.Equal(t, tt.parent == "", got.Attributes[semconv.AsRoot].AsBool())
		})
	}
}

// TestMessagesAreCutAtTheCaptureLimit checks that status, error and panic
// messages are bounded like inputs, mask or not.
func TestMessagesAreCutAtTheCaptureLimit(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.CaptureMaxBytes = 1024 })
	huge := strings.Repeat("e", 2<<20)
	failing := langfuse.ObserveErr("fails", func(context.Context) error { return errors.New(huge) })
	assert.Error(t, failing(context.Background()))
	_, o := observe.Start(context.Background(), "status")
	o.End(observe.WithStatusMessage(huge + "\xff"))
	func() {
		defer func() { _ = recover() }()
		_, _ = langfuse.ObserveCtx("panics", func(context.Context) (int, error) { panic(huge) })(context.Background())
	}()

	for _, name := range []string{"fails", "status", "panics"} {
		got := find(t, rec, name)
		assert.LessOrEqual(t, len(got.StatusMessage), 1024+64, name)
		assert.Contains(t, got.StatusMessage, "truncated", "%s: the cut is visible", name)
		assert.True(t, utf8.ValidString(got.StatusMessage), name)
		if got.Status.Description != "" {
			assert.LessOrEqual(t, len(got.Status.Description), 1024+64, name)
		}
		for _, ev := range got.Events {
			for _, kv := range ev.Attributes {
				if kv.Key == "exception.message" {
					assert.LessOrEqual(t, len(kv.Value.String()), 1024+64, "%s: event %s", name, kv.Key)
				}
			}
		}
	}
}
