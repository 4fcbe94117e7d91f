package langfuse_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/prompt"
)

func TestCreatePromptText(t *testing.T) {
	f, srv := newFakePrompts(t)
	c, _ := promptClient(t, srv.URL, nil)
	p, err := c.CreatePrompt(context.Background(), prompt.Draft{
		Name: "team/answer", Text: "Answer {{q}}.", Labels: []string{"production", "v.1_a-b"},
		Tags: []string{"support"}, Config: map[string]any{"model": "gpt-x"}, CommitMessage: "first",
	})
	require.NoError(t, err)
	assert.Equal(t, "team/answer", p.Name)
	assert.Equal(t, 1, p.Version)
	assert.Equal(t, prompt.TypeText, p.Type)
	assert.Equal(t, "Answer {{q}}.", p.Text)
	assert.Equal(t, []string{"production", "v.1_a-b"}, p.Labels)
	assert.JSONEq(t, `{"model":"gpt-x"}`, string(p.Config))

	req := f.requests()[0]
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, promptsPath, req.EscapedPath)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, map[string]any{
		"name": "team/answer", "type": "text", "prompt": "Answer {{q}}.",
		"labels": []any{"production", "v.1_a-b"}, "tags": []any{"support"},
		"config": map[string]any{"model": "gpt-x"}, "commitMessage": "first",
	}, req.Body)
}

func TestCreatePromptChat(t *testing.T) {
	f, srv := newFakePrompts(t)
	c, _ := promptClient(t, srv.URL, nil)
	p, err := c.CreatePrompt(context.Background(), prompt.Draft{
		Name: "chat", Messages: []prompt.Message{
			{Role: "system", Content: "Be {{tone}}."},
			{Placeholder: "history"},
			{Role: "user", Content: ""},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, prompt.TypeChat, p.Type)
	assert.Equal(t, []prompt.Message{{Role: "system", Content: "Be {{tone}}."}, {Placeholder: "history"}, {Role: "user"}}, p.Messages)
	assert.Equal(t, map[string]any{
		"name": "chat", "type": "chat", "labels": []any{}, "config": map[string]any{},
		"prompt": []any{
			map[string]any{"type": "chatmessage", "role": "system", "content": "Be {{tone}}."},
			map[string]any{"type": "placeholder", "name": "history"},
			map[string]any{"type": "chatmessage", "role": "user", "content": ""},
		},
	}, f.requests()[0].Body)
}

// TestCreateAndLabelRefreshTheCache checks that a new version or a moved
// label is seen by the next Prompt of the client that made it, not after
// the cache's time to live.
func TestCreateAndLabelRefreshTheCache(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	c, _ := promptClient(t, srv.URL, nil)
	ctx := context.Background()
	p, err := c.Prompt(ctx, "p")
	require.NoError(t, err)
	assert.Equal(t, 1, p.Version)

	_, err = c.CreatePrompt(ctx, prompt.Draft{Name: "p", Text: "v2", Labels: []string{"production"}})
	require.NoError(t, err)
	p, err = c.Prompt(ctx, "p")
	require.NoError(t, err)
	assert.Equal(t, 2, p.Version, "the new production version")

	require.NoError(t, c.SetPromptLabels(ctx, "p", 1, "production"))
	p, err = c.Prompt(ctx, "p")
	require.NoError(t, err)
	assert.Equal(t, 1, p.Version, "production moved back")

	var patch seenRequest
	for _, r := range f.requests() {
		if r.Method == http.MethodPatch {
			patch = r
		}
	}
	assert.Equal(t, promptsPath+"/p/versions/1", patch.EscapedPath)
	assert.Equal(t, map[string]any{"newLabels": []any{"production"}}, patch.Body)
}

func TestSetPromptLabelsEscapesTheName(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("a/b c", "x")
	c, _ := promptClient(t, srv.URL, nil)
	require.NoError(t, c.SetPromptLabels(context.Background(), "a/b c", 1, "staging"))
	require.NoError(t, c.SetPromptLabels(context.Background(), "a/b c", 1))
	reqs := f.requests()
	assert.Equal(t, promptsPath+"/a%2Fb%20c/versions/1", reqs[0].EscapedPath)
	assert.Equal(t, map[string]any{"newLabels": []any{}}, reqs[1].Body, "no labels is an empty list, not null")
	err := c.SetPromptLabels(context.Background(), "a/b c", 9, "staging")
	require.ErrorIs(t, err, langfuse.ErrPromptNotFound)
}

func TestCreatePromptIsNotRepeatedAfterA5xx(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "boom", http.StatusBadGateway)
		return true
	})
	c, _ := promptClient(t, srv.URL, nil)
	_, err := c.CreatePrompt(context.Background(), prompt.Draft{Name: "p", Text: "x"})
	require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
	assert.Len(t, f.requests(), 1, "a POST made twice could make two versions")
	require.ErrorIs(t, c.SetPromptLabels(context.Background(), "p", 1, "a"), langfuse.ErrPromptUnreachable)
	assert.Len(t, f.requests(), 4, "setting labels is made again")
}

func TestPromptCallsRefuseWhatLangfuseWould(t *testing.T) {
	_, srv := newFakePrompts(t)
	c, _ := promptClient(t, srv.URL, nil)
	ctx := context.Background()
	drafts := []struct {
		name   string
		d      prompt.Draft
		reason string
	}{
		{"no name", prompt.Draft{Text: "x"}, "a prompt name is required"},
		{"new", prompt.Draft{Name: "new", Text: "x"}, "reserved"},
		{"pipe", prompt.Draft{Name: "a|b", Text: "x"}, "'|'"},
		{"leading slash", prompt.Draft{Name: "/a", Text: "x"}, "starts or ends with '/'"},
		{"trailing slash", prompt.Draft{Name: "a/", Text: "x"}, "starts or ends with '/'"},
		{"double slash", prompt.Draft{Name: "a//b", Text: "x"}, `"//"`},
		{"html", prompt.Draft{Name: "a<b>c", Text: "x"}, "HTML tag"},
		{"spaces", prompt.Draft{Name: " a", Text: "x"}, "white space"},
		{"not UTF-8", prompt.Draft{Name: "a\xff", Text: "x"}, "UTF-8"},
		{"empty text", prompt.Draft{Name: "a", Text: " \n"}, "empty prompt"},
		{"empty chat", prompt.Draft{Name: "a", Type: prompt.TypeChat}, "empty prompt"},
		{"chat with text", prompt.Draft{Name: "a", Type: prompt.TypeChat, Text: "x"}, "chat prompt with Text"},
		{"text with messages", prompt.Draft{Name: "a", Type: prompt.TypeText, Messages: []prompt.Message{{Role: "user"}}}, "text prompt with Messages"},
		{"bad type", prompt.Draft{Name: "a", Type: "audio", Text: "x"}, `type "audio"`},
		{"no role", prompt.Draft{Name: "a", Messages: []prompt.Message{{Content: "x"}}}, "message 0 has no Role"},
		{"placeholder name", prompt.Draft{Name: "a", Messages: []prompt.Message{{Placeholder: "1st"}}}, `placeholder "1st"`},
		{"placeholder with role", prompt.Draft{Name: "a", Messages: []prompt.Message{{Placeholder: "h", Role: "user"}}}, "no Role or Content"},
		{"upper-case label", prompt.Draft{Name: "a", Text: "x", Labels: []string{"Production"}}, `label "Production"`},
		{"long label", prompt.Draft{Name: "a", Text: "x", Labels: []string{strings.Repeat("a", 37)}}, "1 to 36"},
		{"empty label", prompt.Draft{Name: "a", Text: "x", Labels: []string{""}}, `label ""`},
		{"latest", prompt.Draft{Name: "a", Text: "x", Labels: []string{"latest"}}, `"latest" is Langfuse's`},
		{"config", prompt.Draft{Name: "a", Text: "x", Config: func() {}}, "config"},
	}
	for _, tt := range drafts {
		t.Run("create/"+tt.name, func(t *testing.T) {
			_, err := c.CreatePrompt(ctx, tt.d)
			require.ErrorIs(t, err, langfuse.ErrInvalidPrompt)
			assert.Contains(t, err.Error(), tt.reason)
		})
	}
	labels := []struct {
		name    string
		prompt  string
		version int
		labels  []string
		reason  string
	}{
		{"latest", "a", 1, []string{"latest"}, `"latest"`},
		{"bad label", "a", 1, []string{"prod env"}, `label "prod env"`},
		{"version 0", "a", 0, nil, "version 0"},
		{"bad name", "a//b", 1, nil, `"//"`},
	}
	for _, tt := range labels {
		t.Run("labels/"+tt.name, func(t *testing.T) {
			err := c.SetPromptLabels(ctx, tt.prompt, tt.version, tt.labels...)
			require.ErrorIs(t, err, langfuse.ErrInvalidPrompt)
			assert.Contains(t, err.Error(), tt.reason)
		})
	}
	t.Run("get", func(t *testing.T) {
		_, err := c.Prompt(ctx, "")
		require.ErrorIs(t, err, langfuse.ErrInvalidPrompt)
		_, err = langfuse.GetPrompt(c.Context(ctx), "p", prompt.Version(-2))
		require.ErrorIs(t, err, langfuse.ErrInvalidPrompt)
	})
}
