package llmhttp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/semconv"
)

// The model a call asked for and the model that answered are told apart:
// gen_ai.request.model holds the one requested, the observation's model
// and gen_ai.response.model the one that answered.
func TestRequestedAndAnsweringModel(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
	}{
		{"whole", "application/json", `{"model":"m-1-2026","text":"hi","tokens":3}`},
		{"stream", "text/event-stream", "data: {\"model\":\"m-1-2026\",\"delta\":\"hi\"}\n\ndata: [END]\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			rt := New(answer(200, tc.contentType, strings.NewReader(tc.body), nil), fakeWire{}, Config{})
			readAll(t, call(t, ctx, rt, request))
			g := llmtest.Find(t, rec, "fake.complete")
			assert.Equal(t, "m-1", g.Attr(semconv.GenAIRequestModel), "the model asked for")
			assert.Equal(t, "m-1-2026", g.Attr(genAIResponseModel), "the model that answered")
			assert.Equal(t, "m-1-2026", g.Attr(semconv.ObservationModel), "Langfuse shows the model that answered")
		})
	}
	t.Run("no model in the answer", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		rt := New(answer(200, "application/json", strings.NewReader(`{"text":"hi"}`), nil), fakeWire{}, Config{})
		readAll(t, call(t, ctx, rt, request))
		g := llmtest.Find(t, rec, "fake.complete")
		assert.Equal(t, "m-1", g.Attr(semconv.GenAIRequestModel))
		assert.Equal(t, "m-1", g.Attr(semconv.ObservationModel))
		assert.NotContains(t, g.Attributes, genAIResponseModel)
	})
}
