package observe_test

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

	"github.com/observe-go/langfuse/observe"
)

// members returns the baggage of ctx as a map.
func members(ctx context.Context) map[string]string {
	m := map[string]string{}
	for _, mb := range baggage.FromContext(ctx).Members() {
		m[mb.Key()] = mb.Value()
	}
	return m
}

func TestPropagateAttributesAsBaggage(t *testing.T) {
	setup(t)
	a := observe.Attributes{
		UserID: "u-1", SessionID: "s 1", Version: "v2", TraceName: "chat",
		Tags: []string{"a", "b"}, Metadata: map[string]string{"tenant": "acme, inc"},
	}

	t.Run("off by default", func(t *testing.T) {
		ctx := observe.PropagateAttributes(context.Background(), a)
		assert.Empty(t, members(ctx))
	})

	t.Run("member names of the official SDKs", func(t *testing.T) {
		with := a
		with.AsBaggage = true
		ctx := observe.PropagateAttributes(context.Background(), with)
		assert.Equal(t, map[string]string{
			"langfuse_user_id":         "u-1",
			"langfuse_session_id":      "s 1",
			"langfuse_version":         "v2",
			"langfuse_trace_name":      "chat",
			"langfuse_tags":            "a,b",
			"langfuse_metadata_tenant": "acme, inc",
		}, members(ctx))
	})

	t.Run("nested calls keep it on and merge", func(t *testing.T) {
		m, err := baggage.NewMemberRaw("region", "eu")
		require.NoError(t, err)
		b, err := baggage.New(m)
		require.NoError(t, err)
		ctx := baggage.ContextWithBaggage(context.Background(), b)
		outer := observe.PropagateAttributes(ctx, observe.Attributes{UserID: "u-1", Tags: []string{"a"}, AsBaggage: true})
		inner := observe.PropagateAttributes(outer, observe.Attributes{SessionID: "s-2", Tags: []string{"b"}})
		assert.Equal(t, map[string]string{
			"region":              "eu",
			"langfuse_user_id":    "u-1",
			"langfuse_session_id": "s-2",
			"langfuse_tags":       "a,b",
		}, members(inner))
		assert.NotContains(t, members(outer), "langfuse_session_id", "the outer ctx is untouched")
	})

	t.Run("a metadata key Langfuse does not take is left out everywhere", func(t *testing.T) {
		h := setup(t)
		ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{
			Metadata: map[string]string{"bad key": "x", "ok": "y"}, AsBaggage: true,
		})
		assert.Equal(t, map[string]string{"langfuse_metadata_ok": "y"}, members(ctx))
		assert.Contains(t, h.logs.String(), "a metadata key must be letters, digits and underscores")
		_, o := observe.Start(ctx, "o")
		o.End()
		assert.NotContains(t, h.find(t, "o").Attributes, "langfuse.trace.metadata.bad key")
		assert.Equal(t, "y", h.find(t, "o").Attr("langfuse.trace.metadata.ok"))
	})
}

func TestBaggageRoundTripThroughHeaders(t *testing.T) {
	setup(t)
	sent := observe.Attributes{
		UserID: "ü-1", SessionID: "s;1=2", Version: "1.0", TraceName: "a b",
		Tags: []string{"x", "y z"}, Metadata: map[string]string{"tenant_id": "acme,inc"},
	}
	with := sent
	with.AsBaggage = true
	ctx := observe.PropagateAttributes(context.Background(), with)

	h := http.Header{}
	propagation.Baggage{}.Inject(ctx, propagation.HeaderCarrier(h))
	require.NotEmpty(t, h.Get("baggage"))
	got := propagation.Baggage{}.Extract(context.Background(), propagation.HeaderCarrier(h))
	assert.Equal(t, sent, observe.AttributesFromBaggage(baggage.FromContext(got)))
}

func TestAttributesFromBaggage(t *testing.T) {
	b, err := baggage.Parse("langfuse_user_id=u,langfuse_trace_id=4bf92f3577b34da6a3ce929d0e0e4736," +
		"langfuse_environment=prod,langfuse_tags=a%2C%20%2Cb,langfuse_metadata_=x,langfuse_session_id=," +
		"user_id=other,langfuse_metadata_k=v")
	require.NoError(t, err)
	assert.Equal(t, observe.Attributes{
		UserID:   "u",
		Tags:     []string{"a", "b"},
		Metadata: map[string]string{"k": "v"},
	}, observe.AttributesFromBaggage(b))
	assert.Equal(t, observe.Attributes{}, observe.AttributesFromBaggage(baggage.Baggage{}))
}

func TestReadBaggageOption(t *testing.T) {
	h := setup(t)
	_, o := observe.Start(context.Background(), "plain", observe.ReadBaggage(true))
	o.End()
	keys := slices.Sorted(maps.Keys(h.find(t, "plain").Attributes))
	assert.Equal(t, []string{"langfuse.environment"}, keys, "elsewhere it writes nothing")
}
