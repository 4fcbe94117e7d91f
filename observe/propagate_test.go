package observe_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func TestPropagateAttributesMergeAndIsolation(t *testing.T) {
	h := setup(t)
	outer := observe.PropagateAttributes(context.Background(), observe.Attributes{
		UserID: "u-1", SessionID: "s-1", TraceName: "chat", Version: "1.0",
		Tags: []string{"a"}, Metadata: map[string]string{"tenant": "acme", "plan": "free"},
	})
	inner := observe.PropagateAttributes(outer, observe.Attributes{
		SessionID: "s-2", Tags: []string{"b", "a"}, Metadata: map[string]string{"plan": "pro"},
	})
	_, o1 := observe.Start(outer, "outer")
	o1.End()
	_, o2 := observe.Start(inner, "inner")
	o2.End()

	out := h.find(t, "outer")
	assert.Equal(t, "u-1", out.Attr(semconv.UserID))
	assert.Equal(t, "s-1", out.Attr(semconv.SessionID), "the outer ctx is untouched by the inner call")
	assert.Equal(t, []string{"a"}, out.Attributes[semconv.TraceTags].AsStringSlice())
	assert.Equal(t, "free", out.Attr(semconv.TraceMetadataPrefix+"plan"))

	in := h.find(t, "inner")
	assert.Equal(t, "u-1", in.Attr(semconv.UserID), "unset fields are inherited")
	assert.Equal(t, "s-2", in.Attr(semconv.SessionID))
	assert.Equal(t, "chat", in.Attr(semconv.TraceName))
	assert.Equal(t, "1.0", in.Attr(semconv.Version))
	assert.Equal(t, []string{"a", "b"}, in.Attributes[semconv.TraceTags].AsStringSlice())
	assert.Equal(t, "acme", in.Attr(semconv.TraceMetadataPrefix+"tenant"))
	assert.Equal(t, "pro", in.Attr(semconv.TraceMetadataPrefix+"plan"))
}

func TestPropagateAttributesReachOtherTracersAndCurrentSpan(t *testing.T) {
	h := setup(t)
	ctx, root := observe.Start(context.Background(), "root")
	ctx = observe.PropagateAttributes(ctx, observe.Attributes{UserID: "u-9"})
	_, foreign := h.tp.Tracer("db-driver").Start(ctx, "SELECT")
	foreign.End()
	root.End()

	assert.Equal(t, "u-9", h.find(t, "SELECT").Attr(semconv.UserID), "spans of other tracers are stamped too")
	assert.Equal(t, "db-driver", h.find(t, "SELECT").Scope)
	assert.Equal(t, "u-9", h.find(t, "root").Attr(semconv.UserID), "the span current at the call gets them too")
}

func TestPropagateAttributesDropsLongValues(t *testing.T) {
	h := setup(t)
	long := strings.Repeat("é", 201)
	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{
		UserID: long, SessionID: strings.Repeat("x", 200), Tags: []string{long, "ok"},
		Metadata: map[string]string{"big": long, "small": "v"},
	})
	_, o := observe.Start(ctx, "o")
	o.End()
	got := h.find(t, "o")
	assert.NotContains(t, got.Attributes, semconv.UserID, "over 200 characters is dropped, never cut")
	assert.Len(t, got.Attr(semconv.SessionID), 200)
	assert.Equal(t, []string{"ok"}, got.Attributes[semconv.TraceTags].AsStringSlice())
	assert.NotContains(t, got.Attributes, semconv.TraceMetadataPrefix+"big")
	assert.Equal(t, "v", got.Attr(semconv.TraceMetadataPrefix+"small"))
	require.Contains(t, h.logs.String(), "over 200 characters")
}

func TestStartObservationKeepsPropagatedAttributes(t *testing.T) {
	h := setup(t)
	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{SessionID: "s"})
	_, root := observe.Start(ctx, "root")
	root.StartObservation("child").End()
	root.End()
	assert.Equal(t, "s", h.find(t, "child").Attr(semconv.SessionID))
}

func TestPropagateAttributesPublic(t *testing.T) {
	h := setup(t)
	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{Public: true})
	ctx = observe.PropagateAttributes(ctx, observe.Attributes{UserID: "u"})
	_, o := observe.Start(ctx, "shared")
	o.End()
	_, p := observe.Start(context.Background(), "private")
	p.End()
	assert.True(t, h.find(t, "shared").Attributes[semconv.TracePublic].AsBool(), "kept by nested calls")
	assert.NotContains(t, h.find(t, "private").Attributes, semconv.TracePublic)
}

func TestPropagateAttributesDropsWhatLangfuseRefuses(t *testing.T) {
	h := setup(t)
	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{
		UserID:    "user\r\nX-Injected: 1",
		SessionID: "s-1",
		TraceName: strings.Repeat("n", 201),
		Tags:      []string{"ok", "bad\ntag"},
		Metadata:  map[string]string{"plan": "pro", "with space": "x", "tier": "gold\x00"},
	})
	_, o := observe.Start(ctx, "o")
	o.End()
	got := h.find(t, "o")
	assert.NotContains(t, got.Attributes, "user.id", "a CR/LF never travels on")
	assert.Equal(t, "s-1", got.Attr("session.id"))
	assert.NotContains(t, got.Attributes, "langfuse.trace.name")
	assert.Equal(t, `["ok"]`, got.Attr("langfuse.trace.tags"))
	assert.Equal(t, "pro", got.Attr("langfuse.trace.metadata.plan"))
	assert.NotContains(t, got.Attributes, "langfuse.trace.metadata.with space")
	assert.NotContains(t, got.Attributes, "langfuse.trace.metadata.tier")

	logs := h.logs.String()
	for _, attr := range []string{"UserID", "TraceName", "Tags", "Metadata[tier]"} {
		assert.Contains(t, logs, "dropped: "+attr, "each dropped value is named")
	}
	assert.Contains(t, logs, `key="with space"`)
}
