package tracing

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TestSplitKeepsEveryRequestUnderTheLimit checks, at many limits, that
// split parts a batch of several resources and scopes into requests that
// each stay under the limit and decode to their spans under the right
// resource and scope, every span in exactly one of them or, when it fits
// in none, among the spans too large.
func TestSplitKeepsEveryRequestUnderTheLimit(t *testing.T) {
	resources := []*resource.Resource{
		resource.NewSchemaless(attribute.String("service.name", "a")),
		resource.NewSchemaless(attribute.String("service.name", "b"), attribute.String("pad", strings.Repeat("r", 300))),
	}
	scopes := []instrumentation.Scope{{Name: "langfuse-sdk"}, {Name: "other", Version: "1", SchemaURL: "https://s"}}
	var stubs tracetest.SpanStubs
	for i := range 60 {
		stubs = append(stubs, tracetest.SpanStub{
			Name:                 fmt.Sprintf("s%d", i),
			Resource:             resources[i%2],
			InstrumentationScope: scopes[(i/2)%2],
			Attributes:           []attribute.KeyValue{attribute.String("pad", strings.Repeat("x", (i*37)%700))},
		})
	}
	spans := stubs.Snapshots()
	for _, limit := range []int{200, 500, 800, 1200, 1500, 4000, 1 << 20} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var enc otlpEncoder
			groups := enc.group(spans)
			requests, tooLarge := enc.split(groups, limit)
			seen := map[string]bool{}
			for _, groups := range requests {
				b := enc.appendGroups(nil, groups)
				assert.LessOrEqual(t, len(b), limit)
				var req coltracepb.ExportTraceServiceRequest
				require.NoError(t, proto.Unmarshal(b, &req))
				for _, rs := range req.GetResourceSpans() {
					service := rs.GetResource().GetAttributes()[0].GetValue().GetStringValue()
					for _, ss := range rs.GetScopeSpans() {
						for _, s := range ss.GetSpans() {
							var i int
							_, err := fmt.Sscanf(s.GetName(), "s%d", &i)
							require.NoError(t, err)
							assert.False(t, seen[s.GetName()], "%s sent twice", s.GetName())
							seen[s.GetName()] = true
							assert.Equal(t, resources[i%2].Attributes()[0].Value.AsString(), service, s.GetName())
							assert.Equal(t, scopes[(i/2)%2].Name, ss.GetScope().GetName(), s.GetName())
						}
					}
				}
			}
			// A span left out would pass the limit in a request of its
			// own; every other one was sent.
			left := 0
			for _, s := range spans {
				if seen[s.Name()] {
					continue
				}
				left++
				alone := enc.appendRequest(nil, []sdktrace.ReadOnlySpan{s})
				assert.Greater(t, len(alone), limit-2*maxFieldHead, "%s left out", s.Name())
			}
			assert.Equal(t, len(tooLarge), left)
			if limit == 1<<20 {
				assert.Len(t, requests, 1)
				assert.Empty(t, tooLarge)
			}
		})
	}
}
