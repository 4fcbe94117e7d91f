package capture

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var cardRE = regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`)

func maskCards(s string) string { return cardRE.ReplaceAllString(s, "****") }

type chatMessage struct {
	Role    string
	Content string
}

type cardHolder struct {
	Number int64 `json:"number"`
}

func TestTextMaskSeesEveryType(t *testing.T) {
	const card = "4111-1111-1111-1111"
	o := Options{TextMask: maskCards}
	tests := []struct {
		name string
		v    any
	}{
		{"string", "card " + card},
		{"struct", chatMessage{Role: "user", Content: "card " + card}},
		{"pointer to struct", &chatMessage{Content: card}},
		{"args without names", []any{"x", chatMessage{Content: card}}},
		{"map", map[string]any{"nested": []any{map[string]string{"c": card}}}},
		{"error", errors.New("charge failed for " + card)},
		{"int64", cardHolder{Number: 4111111111111111}},
		{"bytes", []byte(card)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, out := range []string{String(tt.v, o), JSON(tt.v, o)} {
				assert.NotContains(t, out, "1111", out)
				assert.Contains(t, out, "****")
			}
			checkOutput(t, JSON(tt.v, o), o, true)
		})
	}
}

func TestTextMaskRunsAfterValueMask(t *testing.T) {
	o := Options{
		Mask:     func(any) any { return "secret 4111 1111 1111 1111" },
		TextMask: maskCards,
	}
	assert.Equal(t, "secret ****", String(42, o))
	assert.Equal(t, `"secret ****"`, JSON(42, o))
}

func TestTextMaskPanicGivesPlaceholder(t *testing.T) {
	o := Options{TextMask: func(string) string { panic("mask boom 4111-1111-1111-1111") }}
	assert.Equal(t, MaskFailed, String(chatMessage{Content: "4111-1111-1111-1111"}, o))
	assert.Equal(t, `"`+MaskFailed+`"`, JSON(chatMessage{Content: "4111-1111-1111-1111"}, o))
	small := String("x", Options{MaxBytes: 4, TextMask: o.TextMask})
	assert.LessOrEqual(t, len(small), 4)
	assert.NotContains(t, small, "x")
}

func TestTextMaskResultIsBoundedAndValid(t *testing.T) {
	grow := func(s string) string { return strings.Repeat(s, 100) + "\xff" }
	o := Options{MaxBytes: 64, TextMask: grow}
	for _, out := range []string{String("abc", o), JSON([]int{1, 2}, o)} {
		checkOutput(t, out, o, false)
		assert.True(t, truncated(out), out)
	}
	bad := Options{TextMask: func(string) string { return "\xffbroken" }}
	assert.Equal(t, "\uFFFDbroken", String("x", bad))
}

func TestTextMaskKeepsJSONValid(t *testing.T) {
	// A mask that cuts JSON apart leaves a JSON string, not broken JSON.
	o := Options{TextMask: func(s string) string { return strings.ReplaceAll(s, `"`, "") }}
	out := JSON(map[string]int{"a": 1}, o)
	assert.Equal(t, `"{a:1}"`, out)
	checkOutput(t, out, o, true)
	// String keeps the text as the mask left it.
	assert.Equal(t, "{a:1}", String(map[string]int{"a": 1}, o))
}

func TestTextMaskUnchangedTextIsKept(t *testing.T) {
	o := Options{TextMask: func(s string) string { return s }}
	v := []chatMessage{{Role: "user", Content: "hi"}}
	assert.Equal(t, String(v, Options{}), String(v, o))
	assert.Equal(t, JSON(v, Options{}), JSON(v, o))
}
