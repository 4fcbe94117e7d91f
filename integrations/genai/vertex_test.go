package langfusegenai_test

import (
	"context"
	"net/http"
	"testing"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/httptransport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/semconv"
)

type staticToken string

func (s staticToken) Token(context.Context) (*auth.Token, error) {
	return &auth.Token{Value: string(s), Type: "Bearer"}, nil
}

// TestVertexWithCredentials wraps the transport in Google's authorising
// transport, as ClientConfig.UseDefaultCredentials does: the OAuth token it
// adds reaches the server and no recorded attribute.
func TestVertexWithCredentials(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	const token = "ya29.test-oauth-token"
	var gotAuth, gotPath string
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.Path
		writeSSE(w, streamChunks...)
	})
	hc := &http.Client{Transport: langfusegenai.NewTransport(nil)}
	require.NoError(t, httptransport.AddAuthorizationMiddleware(hc, auth.NewCredentials(&auth.CredentialsOptions{TokenProvider: staticToken(token)})))
	client, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		Backend: genai.BackendVertexAI, Project: "my-project", Location: "europe-west4",
		HTTPClient: hc, HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL, APIVersion: "v1"},
	})
	require.NoError(t, err)
	var text string
	for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-pro", genai.Text("Why?"), nil) {
		require.NoError(t, err)
		text += resp.Text()
	}
	assert.Equal(t, "The sky is blue by day.", text)
	assert.Equal(t, "Bearer "+token, gotAuth)
	assert.Equal(t, "/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent", gotPath)
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "gemini-2.5-flash-001", g.Attr(semconv.ObservationModel))
	assert.Contains(t, g.Output, "The sky is blue by day.")
	llmtest.AssertNoSecret(t, rec, token)
}

// TestVertexEmbedContent: for Gemini embedding models the SDK calls
// Vertex AI's embedContent, with its parameters in embedContentConfig.
func TestVertexEmbedContent(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var gotPath string
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		llmtest.WriteJSON(w, 200, `{"embedding": {"values": [0.011, -0.022, 0.033]}, "usageMetadata": {"promptTokenCount": 4, "totalTokenCount": 4}, "truncated": false}`)
	})
	resp, err := newVertexClient(t, srv).Models.EmbedContent(ctx, "gemini-embedding-2",
		[]*genai.Content{genai.NewContentFromText("embed me", genai.RoleUser)},
		&genai.EmbedContentConfig{TaskType: "RETRIEVAL_QUERY", OutputDimensionality: genai.Ptr[int32](3)})
	require.NoError(t, err)
	require.Len(t, resp.Embeddings, 1)
	assert.Equal(t, "/v1beta1/projects/my-project/locations/us-central1/publishers/google/models/gemini-embedding-2:embedContent", gotPath)

	e := llmtest.Find(t, rec, "genai.embedContent")
	assert.Equal(t, "embedding", e.Type)
	assert.Equal(t, "gemini-embedding-2", e.Attr(semconv.ObservationModel))
	assert.Contains(t, e.Input, "embed me")
	assert.JSONEq(t, `{"embeddings": 1, "dimensions": 3}`, e.Output)
	assert.JSONEq(t, `{"input": 4, "total": 4}`, e.Attr(semconv.ObservationUsageDetails))
	assert.JSONEq(t, `{"taskType": "RETRIEVAL_QUERY", "outputDimensionality": 3}`, e.Attr(semconv.ObservationModelParameters))
}
