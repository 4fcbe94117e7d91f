package llmhttp_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

func TestRawText(t *testing.T) {
	assert.Equal(t, "<html>bad gateway</html>", llmhttp.RawText([]byte("<html>bad gateway</html>")))
	assert.Equal(t, "a\uFFFDb", llmhttp.RawText([]byte("a\xffb")), "invalid UTF-8 replaced")

	long := []byte("a" + strings.Repeat("é", 20<<10)) // the cut falls inside an é
	got := llmhttp.RawText(long)
	assert.True(t, strings.HasSuffix(got, "…[cut]"))
	assert.LessOrEqual(t, len(got), 16<<10+len("\uFFFD…[cut]"))
	assert.True(t, utf8.ValidString(got), "a rune cut in two is replaced")

	body := []byte("kept apart")
	got = llmhttp.RawText(body)
	body[0] = 'X'
	assert.Equal(t, "kept apart", got, "a copy of body")
}

func TestErrorText(t *testing.T) {
	assert.Equal(t, "Bad Gateway", llmhttp.ErrorText("  Bad Gateway\n"))
	assert.Equal(t, "a\uFFFDb", llmhttp.ErrorText("a\xffb"))
	got := llmhttp.ErrorText("a" + strings.Repeat("é", 400)) // the cut falls inside an é
	assert.True(t, strings.HasSuffix(got, "\uFFFD…"), got)
	assert.True(t, utf8.ValidString(got))
	assert.Equal(t, 512+len("\uFFFD…")-1, len(got), "512 bytes kept, the half rune replaced")
}
