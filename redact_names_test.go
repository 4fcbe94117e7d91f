package langfuse_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

type llmCall struct {
	Model     string `json:"model"`
	APIKey    string `json:"api_key"`
	Prompt    string `json:"prompt"`
	MaxTokens int    `json:"max_tokens"`
	SSN       string `json:"ssn"`
}

const apiKey = "sk-proj-abc123"

func TestCredentialNamesAreRedacted(t *testing.T) {
	t.Parallel()
	ctx, rec := boundClient(t)
	call := langfuse.Observe2("named-args", func(_ context.Context, key, prompt string) (string, error) {
		return "ok", nil
	}, observe.ArgNames("apiKey", "prompt"))
	_, err := call(ctx, apiKey, "hi")
	require.NoError(t, err)
	req := langfuse.Observe1("struct-arg", func(_ context.Context, r llmCall) (llmCall, error) { return r, nil })
	_, err = req(ctx, llmCall{Model: "gpt-4o", APIKey: apiKey, Prompt: "hi", MaxTokens: 64})
	require.NoError(t, err)
	_, o := observe.Start(ctx, "metadata", observe.WithMetadata(map[string]any{"x-api-key": apiKey, "max_tokens": 64}))
	o.End()

	assert.Equal(t, `{"apiKey":"[REDACTED]","prompt":"hi"}`, find(t, rec, "named-args").Input)
	want := `{"model":"gpt-4o","api_key":"[REDACTED]","prompt":"hi","max_tokens":64,"ssn":""}`
	assert.Equal(t, want, find(t, rec, "struct-arg").Input)
	assert.Equal(t, want, find(t, rec, "struct-arg").Output)
	md := find(t, rec, "metadata").Metadata
	assert.Equal(t, "[REDACTED]", md["x-api-key"].AsString())
	assert.Equal(t, int64(64), md["max_tokens"].AsInt64())
	assertNoLeak(t, rec, apiKey)
}

func TestRedactedAndKeptNamesOptions(t *testing.T) {
	t.Parallel()
	ctx, rec := boundClient(t, langfuse.WithRedactedNames("SSN"), langfuse.WithKeptNames("api_key"))
	req := langfuse.Observe1("struct-arg", func(_ context.Context, r llmCall) (string, error) { return "", nil })
	_, err := req(ctx, llmCall{Model: "gpt-4o", APIKey: "visible", SSN: "123-45-6789"})
	require.NoError(t, err)
	call := langfuse.Observe2("named-args", func(_ context.Context, ssn, token string) (string, error) {
		return "", nil
	}, observe.ArgNames("ssn", "token"))
	_, err = call(ctx, "123-45-6789", apiKey)
	require.NoError(t, err)

	assert.Equal(t, `{"model":"gpt-4o","api_key":"visible","prompt":"","max_tokens":0,"ssn":"[REDACTED]"}`,
		find(t, rec, "struct-arg").Input)
	assert.Equal(t, `{"ssn":"[REDACTED]","token":"[REDACTED]"}`, find(t, rec, "named-args").Input)
	assertNoLeak(t, rec, "123-45-6789", apiKey)
}

func TestCredentialNamesInScoreMetadataAreRedacted(t *testing.T) {
	t.Parallel()
	ctx, rec := boundClient(t)
	ctx, o := observe.Start(ctx, "judged")
	require.NoError(t, observe.Score(ctx, "quality", 0.9,
		observe.WithScoreMetadata(map[string]any{"judge_api_key": apiKey, "judge": "gpt-4o"})))
	o.End()
	require.Len(t, rec.Scores(), 1)
	md := rec.Scores()[0].Metadata
	assert.Equal(t, "[REDACTED]", md["judge_api_key"])
	assert.Equal(t, "gpt-4o", md["judge"])
}
