package langfuseopenai_test

import (
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/semconv"
)

const embeddingsBody = `{
  "object": "list",
  "data": [
    {"object": "embedding", "index": 0, "embedding": [0.0023064255, -0.009327292, 0.0028842222, -0.0015]},
    {"object": "embedding", "index": 1, "embedding": [0.0113, 0.0042, -0.0210, 0.0007]}
  ],
  "model": "text-embedding-3-small",
  "usage": {"prompt_tokens": 8, "total_tokens": 8}
}`

func TestEmbeddings(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/embeddings": llmtest.JSON(200, embeddingsBody)}))
	client := newClient(api, 0)

	got, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:          openai.EmbeddingModelTextEmbedding3Small,
		Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"The food was delicious", "and the waiter..."}},
		Dimensions:     openai.Int(4),
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
	})
	require.NoError(t, err)
	require.Len(t, got.Data, 2)
	assert.Equal(t, []float64{0.0113, 0.0042, -0.0210, 0.0007}, got.Data[1].Embedding)

	emb := llmtest.Find(t, rec, "openai.embeddings")
	assert.Equal(t, "embedding", emb.Type)
	assert.Equal(t, "text-embedding-3-small", emb.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `["The food was delicious","and the waiter..."]`, emb.Input)
	assert.JSONEq(t, `{"embeddings":2,"dimensions":4}`, emb.Output, "the vectors are not recorded")
	assert.Equal(t, map[string]any{"dimensions": 4.0, "encoding_format": "float"}, llmtest.ParamsOf(t, emb))
	assert.Equal(t, map[string]int{"input": 8, "total": 8}, llmtest.UsageOf(t, emb))
}

func TestEmbeddingsBase64(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	// Three little-endian float32s.
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/embeddings": llmtest.JSON(200,
		`{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPwAAAEAAAEBA"}],"model":"text-embedding-3-large","usage":{"prompt_tokens":2,"total_tokens":2}}`)}))
	client := newClient(api, 0)

	got, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:          openai.EmbeddingModelTextEmbedding3Large,
		Input:          openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")},
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatBase64,
	})
	require.NoError(t, err)
	require.Len(t, got.Data, 1)

	emb := llmtest.Find(t, rec, "openai.embeddings")
	assert.Equal(t, "hello", emb.Input)
	assert.JSONEq(t, `{"embeddings":1,"dimensions":3}`, emb.Output)
}
