package core

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/capture"
)

func argsText(args []any, names []string, o capture.Options) string {
	return capture.String(inputOf(args, names, o), o)
}

func TestNamedArgsRedactCredentials(t *testing.T) {
	const key = "sk-proj-SECRET"
	o := capture.Options{}
	assert.Equal(t, `{"apiKey":"[REDACTED]","prompt":"hi"}`, argsText([]any{key, "hi"}, []string{"apiKey", "prompt"}, o))
	assert.Equal(t, `{"x-api-key":"[REDACTED]","max_tokens":5}`, argsText([]any{key, 5}, []string{"x-api-key", "max_tokens"}, o))
	assert.Equal(t, `{"api_key":"[REDACTED]"}`, argsText([]any{key}, []string{"api_key"}, o), "one named argument")
	assert.Equal(t, `["`+key+`","hi"]`, argsText([]any{key, "hi"}, nil, o), "no names, nothing to go by")

	o = capture.Options{RedactNames: []string{"prompt"}, KeepNames: []string{"apiKey"}}
	assert.Equal(t, `{"apiKey":"`+key+`","prompt":"[REDACTED]"}`, argsText([]any{key, "hi"}, []string{"apiKey", "prompt"}, o),
		"the lists of the options apply")
}

func TestNamedArgsShareOneLimit(t *testing.T) {
	o := capture.Options{MaxBytes: 100}
	got := argsText([]any{strings.Repeat("a", 1000), 5}, []string{"q", "n"}, o)
	full := argsText([]any{strings.Repeat("a", 1000), 5}, []string{"q", "n"}, capture.Options{})
	require.True(t, json.Valid([]byte(full)), full)
	require.LessOrEqual(t, len(got), 100)
	kept, marker, ok := strings.Cut(got, "...<truncated ")
	require.True(t, ok, "cut once, visibly: %s", got)
	assert.True(t, strings.HasPrefix(full, kept), "%s is the start of %s", kept, full)
	assert.Equal(t, strings.TrimSuffix(marker, " bytes>"), strconv.Itoa(len(full)-len(kept)), "counted once, all of it")
}

func TestNamedArgsKeepTheirValues(t *testing.T) {
	o := capture.Options{}
	assert.Equal(t, `{"f":0.1,"d":0.1,"arg2":null}`, argsText([]any{float32(0.1), 0.1, nil}, []string{"f", "d"}, o),
		"a float32 reads as one")
	assert.Equal(t, `{"zeta":1,"alpha":[2]}`, argsText([]any{1, []int{2}}, []string{"zeta", "alpha"}, o), "in order")

	masked := capture.Options{Mask: func(v any) any {
		if s, ok := v.(string); ok && s == "boom" {
			panic(s)
		}
		if s, ok := v.(string); ok {
			return strings.ToUpper(s)
		}
		return v
	}}
	assert.Equal(t, `{"a":"X","b":"`+capture.MaskFailed+`"}`, argsText([]any{"x", "boom"}, []string{"a", "b"}, masked),
		"each argument is masked on its own")
}
