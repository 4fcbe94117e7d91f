package prompt_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/prompt"
)

type celsius float64

func (c celsius) String() string { return "warm" }

func TestCompile(t *testing.T) {
	cases := []struct {
		name, text string
		vars       map[string]any
		want       string
		missing    []string
	}{
		{name: "plain", text: "Hello {{name}}!", vars: map[string]any{"name": "Ada"}, want: "Hello Ada!"},
		{name: "spaces inside the braces", text: "Hi {{ name }} and {{name  }}", vars: map[string]any{"name": "Bo"}, want: "Hi Bo and Bo"},
		{name: "missing stays as written", text: "Hi {{ who }}, {{name}}", vars: map[string]any{"name": "Cy"}, want: "Hi {{ who }}, Cy", missing: []string{"who"}},
		{name: "nil is empty", text: "[{{x}}]", vars: map[string]any{"x": nil}, want: "[]"},
		{name: "numbers and bools", text: "{{i}} {{f}} {{b}}", vars: map[string]any{"i": 3, "f": 0.25, "b": true}, want: "3 0.25 true"},
		{name: "stringer", text: "{{t}}", vars: map[string]any{"t": celsius(30)}, want: "warm"},
		{name: "structures as JSON, not HTML-escaped", text: "{{m}} {{l}}", vars: map[string]any{"m": map[string]string{"a": "<b>"}, "l": []int{1, 2}}, want: `{"a":"<b>"} [1,2]`},
		{name: "no variables", text: "just text {", vars: nil, want: "just text {"},
		{name: "unclosed braces stay", text: "a {{b", vars: map[string]any{"b": 1}, want: "a {{b"},
		{name: "a value holding braces is not compiled again", text: "{{a}}", vars: map[string]any{"a": "{{b}}", "b": "no"}, want: "{{b}}"},
		{name: "missing named once", text: "{{x}}{{x}}", vars: map[string]any{}, want: "{{x}}{{x}}", missing: []string{"x"}},
		{name: "unicode around", text: "¿{{q}}? ✓", vars: map[string]any{"q": "qué"}, want: "¿qué? ✓"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &prompt.Prompt{Name: "greet", Type: prompt.TypeText, Text: tc.text}
			got, err := p.Compile(tc.vars)
			assert.Equal(t, tc.want, got)
			if tc.missing == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, prompt.ErrMissingVariable)
			assert.Equal(t, `prompt: missing variable: prompt "greet" needs `+strings.Join(tc.missing, ", "), err.Error())
		})
	}
}

func TestCompileChatWithPlaceholders(t *testing.T) {
	p := &prompt.Prompt{Name: "chat", Type: prompt.TypeChat, Messages: []prompt.Message{
		{Role: "system", Content: "You help {{user}}."},
		{Placeholder: "history"},
		{Role: "user", Content: "{{question}}"},
		{Placeholder: "examples"},
	}}
	got, err := p.CompileChat(
		map[string]any{"user": "Ada", "question": "Why?"},
		map[string][]prompt.Message{"history": {{Role: "user", Content: "Hi {{user}}"}, {Role: "assistant", Content: "Hello"}}})
	require.ErrorIs(t, err, prompt.ErrMissingVariable)
	assert.Contains(t, err.Error(), "placeholder examples")
	assert.Equal(t, []prompt.Message{
		{Role: "system", Content: "You help Ada."},
		{Role: "user", Content: "Hi Ada"},
		{Role: "assistant", Content: "Hello"},
		{Role: "user", Content: "Why?"},
		{Placeholder: "examples"},
	}, got)
	assert.Equal(t, "You help {{user}}.", p.Messages[0].Content, "compiling never changes the prompt")

	got, err = p.CompileChat(map[string]any{"user": "A", "question": "Q"}, map[string][]prompt.Message{"history": nil, "examples": {}})
	require.NoError(t, err)
	assert.Len(t, got, 2, "an empty placeholder leaves nothing in its place")
}

func TestCompileRefusesTheOtherType(t *testing.T) {
	text := &prompt.Prompt{Name: "t", Type: prompt.TypeText, Text: "x"}
	chat := &prompt.Prompt{Name: "c", Type: prompt.TypeChat}
	_, err := text.CompileChat(nil, nil)
	require.ErrorIs(t, err, prompt.ErrWrongType)
	_, err = chat.Compile(nil)
	require.ErrorIs(t, err, prompt.ErrWrongType)
	var nilPrompt *prompt.Prompt
	_, err = nilPrompt.Compile(nil)
	require.ErrorIs(t, err, prompt.ErrWrongType)
	assert.Nil(t, nilPrompt.Variables())
}

func TestVariables(t *testing.T) {
	text := &prompt.Prompt{Type: prompt.TypeText, Text: "{{ b }} {{a}} {{b}} {{c"}
	assert.Equal(t, []string{"b", "a"}, text.Variables())
	chat := &prompt.Prompt{Type: prompt.TypeChat, Messages: []prompt.Message{
		{Role: "system", Content: "{{x}}"}, {Placeholder: "h"}, {Role: "user", Content: "{{y}} {{x}}"},
	}}
	assert.Equal(t, []string{"x", "y"}, chat.Variables())
}

func TestConfigAs(t *testing.T) {
	type model struct {
		Model       string  `json:"model"`
		Temperature float64 `json:"temperature"`
	}
	p := &prompt.Prompt{Name: "p", Config: []byte(`{"model":"gpt-4o","temperature":0.3}`)}
	got, err := prompt.ConfigAs[model](p)
	require.NoError(t, err)
	assert.Equal(t, model{"gpt-4o", 0.3}, got)

	none, err := prompt.ConfigAs[model](&prompt.Prompt{})
	require.NoError(t, err)
	assert.Equal(t, model{}, none)

	_, err = prompt.ConfigAs[model](&prompt.Prompt{Name: "bad", Config: []byte(`{"model":1}`)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `prompt "bad": config:`)
}

func TestResolveOptions(t *testing.T) {
	assert.Equal(t, prompt.Settings{Label: "production"}, prompt.Resolve())
	assert.Equal(t, prompt.Settings{Version: 3}, prompt.Resolve(prompt.Label("staging"), prompt.Version(3)))
	assert.Equal(t, prompt.Settings{Label: "latest"}, prompt.Resolve(prompt.Version(3), prompt.Label("latest")))
	s := prompt.Resolve(prompt.CacheTTL(-time.Second), prompt.Fallback(prompt.Prompt{Name: "fb", Text: "x"}))
	assert.True(t, s.HasCacheTTL)
	assert.Zero(t, s.CacheTTL, "a negative TTL is no cache")
	require.NotNil(t, s.Fallback)
	assert.True(t, s.Fallback.IsFallback)
}

func TestErrorsAreDistinct(t *testing.T) {
	assert.False(t, errors.Is(prompt.ErrMissingVariable, prompt.ErrWrongType))
}

func TestFallbackCopiesItsPrompt(t *testing.T) {
	p := prompt.Prompt{Name: "fb", Text: "before"}
	opt := prompt.Fallback(p)
	p.Text = "after"
	s := prompt.Resolve(opt)
	assert.Equal(t, "before", s.Fallback.Text)
	assert.True(t, s.Fallback.IsFallback)
}

func TestMessageEncodesAsAChatMessage(t *testing.T) {
	b, err := json.Marshal([]prompt.Message{{Role: "user", Content: "Hi"}, {Role: "assistant"}, {Placeholder: "history"}})
	require.NoError(t, err)
	assert.JSONEq(t, `[{"role":"user","content":"Hi"},{"role":"assistant","content":""},{"content":"","placeholder":"history"}]`, string(b))
}
