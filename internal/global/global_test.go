package global

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWarnIsRateLimitedWithACount(t *testing.T) {
	var logs bytes.Buffer
	st := &State{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st.warned.Now = func() time.Time { return at }

	st.Warn("export failed", "kind", "timeout")
	st.Warn("export failed", "kind", "timeout")
	st.Warn("export failed", "kind", "timeout")
	st.Warn("another problem")
	assert.Equal(t, 2, strings.Count(logs.String(), "\n"), "each distinct problem once within a minute:\n%s", logs.String())

	at = at.Add(WarnEvery)
	st.Warn("export failed", "kind", "timeout")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	assert.Len(t, lines, 3, "logged again once it recurs a minute later")
	assert.Contains(t, lines[2], "occurrences=3", "with how often it was seen since the last line")
	assert.Contains(t, lines[2], "kind=timeout")

	at = at.Add(time.Second)
	st.Warn("export failed")
	assert.Len(t, strings.Split(strings.TrimSpace(logs.String()), "\n"), 3)
}
