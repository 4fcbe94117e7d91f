package core

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/capture"
)

func TestPanicText(t *testing.T) {
	self := map[string]any{"k": 1}
	self["self"] = self
	list := []any{1}
	list = append(list, list)
	list[1] = list
	big := make(map[int]string, 50_000)
	for i := range 50_000 {
		big[i] = "value"
	}
	type point struct{ x int }

	tests := []struct {
		name  string
		value any
		want  func(t *testing.T, got string)
	}{
		{"string as it is", "boom", func(t *testing.T, got string) { assert.Equal(t, "boom", got) }},
		{"error as its message", errors.New("broke"), func(t *testing.T, got string) { assert.Equal(t, "broke", got) }},
		{"pointer as fmt writes it", &point{9}, func(t *testing.T, got string) { assert.Equal(t, "&{9}", got) }},
		{"number as fmt writes it", 42, func(t *testing.T, got string) { assert.Equal(t, "42", got) }},
		{"map holding itself", self, func(t *testing.T, got string) {
			assert.Contains(t, got, `"k":1`)
			assert.Less(t, len(got), 1<<10)
		}},
		{"slice holding itself", list, func(t *testing.T, got string) { assert.Less(t, len(got), 1<<10) }},
		{"too large to check", big, func(t *testing.T, got string) { assert.LessOrEqual(t, len(got), maxPanicText) }},
		{"long string", strings.Repeat("x", 1<<20), func(t *testing.T, got string) { assert.LessOrEqual(t, len(got), maxPanicText) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want(t, panicText(tt.value, capture.Options{}))
		})
	}
	assert.LessOrEqual(t, len(panicText(strings.Repeat("y", 100), capture.Options{MaxBytes: 20})), 20,
		"a smaller capture limit wins")
}

func TestPanicTextRedactsWhatCaptureRedacts(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://user:pw@example.com/x?token=tk-123", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer sk-secret")
	type wrapped struct{ H http.Header }
	for name, v := range map[string]any{
		"request":          req,
		"header":           req.Header,
		"url":              req.URL,
		"nested header":    wrapped{H: req.Header},
		"self-redacting":   secretValue("sk-secret"),
		"in a slice":       []any{1, req.URL},
		"map of requests":  map[string]*http.Request{"r": req},
		"nil header field": wrapped{},
	} {
		t.Run(name, func(t *testing.T) {
			got := panicText(v, capture.Options{})
			for _, secret := range []string{"sk-secret", "tk-123", "pw@"} {
				assert.NotContains(t, got, secret)
			}
		})
	}
}

// secretValue redacts itself for logs.
type secretValue string

func (secretValue) LogValue() slog.Value { return slog.StringValue("[hidden]") }
