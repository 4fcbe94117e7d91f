package warn

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWarnOncePerKindThenWithACount(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &Limiter{Now: func() time.Time { return at }}
	lines := func() []string {
		out := strings.Split(strings.TrimSpace(logs.String()), "\n")
		logs.Reset()
		if out[0] == "" {
			return nil
		}
		return out
	}

	assert.True(t, l.Warn(logger, "a", "problem a", "k", "v"))
	assert.False(t, l.Warn(logger, "a", "problem a", "k", "v"))
	assert.True(t, l.Warn(logger, "b", "problem b"), "another kind has a limit of its own")
	got := lines()
	require.Len(t, got, 2)
	assert.Contains(t, got[0], "k=v")
	assert.Contains(t, got[0], Key+"=1")

	at = at.Add(Every - time.Second)
	assert.False(t, l.Warn(logger, "a", "problem a"))
	assert.Empty(t, lines(), "at most one line a minute per kind")

	at = at.Add(time.Second)
	assert.True(t, l.Warn(logger, "a", "problem a"))
	got = lines()
	require.Len(t, got, 1, "a problem that goes on is logged again")
	assert.Contains(t, got[0], Key+"=3", "the one not logged, the one a minute later, and this one")
}

func TestWarnDoesNotChangeItsArguments(t *testing.T) {
	var l Limiter // the zero Limiter works
	var logs bytes.Buffer
	args := make([]any, 2, 10)
	args[0], args[1] = "k", "v"
	l.Warn(slog.New(slog.NewTextHandler(&logs, nil)), "k", "m", args...)
	assert.Equal(t, []any{"k", "v"}, args[:2])
	assert.Equal(t, 2, len(args))
	assert.Nil(t, args[:3][2], "nothing was written past the arguments")
}

func TestWarnConcurrently(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	var l Limiter
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				l.Warn(logger, "k", "m")
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, strings.Count(logs.String(), "\n"))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
