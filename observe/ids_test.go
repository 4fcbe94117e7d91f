package observe_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func TestCreateTraceID(t *testing.T) {
	assert.Equal(t, "115ae872eb1d3e23f9de03f7ab344193", observe.CreateTraceID("test-identifier"))
	assert.Equal(t, observe.CreateTraceID("a"), observe.CreateTraceID("a"))
	r1, r2 := observe.CreateTraceID(""), observe.CreateTraceID("")
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), r1)
	assert.NotEqual(t, r1, r2)
}

func TestWithTraceContext(t *testing.T) {
	traceID := observe.CreateTraceID("order-42")
	const parent = "0123456789abcdef"
	tests := []struct {
		name       string
		traceID    string
		parent     string
		wantTrace  bool
		wantID     string // the id the span gets, when not traceID itself
		wantParent string
		wantAsRoot bool
	}{
		{name: "with parent", traceID: traceID, parent: parent, wantTrace: true, wantParent: parent},
		{name: "as root", traceID: traceID, wantTrace: true, wantAsRoot: true},
		{name: "malformed trace id", traceID: "xyz", parent: parent},
		{name: "zero trace id", traceID: "00000000000000000000000000000000"},
		{name: "upper case is normalised", traceID: "115AE872EB1D3E23F9DE03F7AB344193", parent: parent, wantTrace: true,
			wantID: "115ae872eb1d3e23f9de03f7ab344193", wantParent: parent},
		{name: "malformed parent", traceID: traceID, parent: "nothex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t)
			var o *observe.Observation
			require.NotPanics(t, func() {
				_, o = observe.Start(context.Background(), "joined", observe.WithTraceContext(tt.traceID, tt.parent))
				o.End()
			})
			got := h.find(t, "joined")
			if tt.wantTrace {
				want := tt.traceID
				if tt.wantID != "" {
					want = tt.wantID
				}
				assert.Equal(t, want, got.TraceID)
				assert.Equal(t, want, o.TraceID())
			} else {
				assert.NotEqual(t, tt.traceID, got.TraceID)
			}
			if tt.wantParent != "" {
				assert.Equal(t, tt.wantParent, got.ParentID)
				assert.True(t, got.Span.Parent().IsRemote())
			}
			if tt.wantAsRoot {
				assert.True(t, got.Attributes[semconv.AsRoot].AsBool())
			} else {
				assert.NotContains(t, got.Attributes, semconv.AsRoot)
			}
		})
	}
}

func TestIDsFromContext(t *testing.T) {
	setup(t)
	assert.Empty(t, observe.TraceID(context.Background()))
	assert.Empty(t, observe.ObservationID(context.Background()))
	ctx, o := observe.Start(context.Background(), "x")
	defer o.End()
	assert.Regexp(t, `^[0-9a-f]{32}$`, observe.TraceID(ctx))
	assert.Regexp(t, `^[0-9a-f]{16}$`, observe.ObservationID(ctx))
	assert.Equal(t, o.TraceID(), observe.TraceID(ctx))
	assert.Equal(t, o.ID(), observe.ObservationID(ctx))
}
