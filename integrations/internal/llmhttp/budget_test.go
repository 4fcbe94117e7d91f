package llmhttp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

func TestBudget(t *testing.T) {
	t.Parallel()
	b := NewBudget(8)
	var text []byte
	text = b.Append(text, "héllo") // 6 bytes
	text = b.Append(text, "wörld") // 2 of 6 fit, but not half of the ö
	text = b.Append(text, "!")     // spent: nothing more
	assert.Equal(t, "héllow", string(text), "cut where a character starts")
	assert.True(t, b.Spent())
	assert.False(t, b.Take(1))
	assert.Equal(t, 8, b.Limit())

	b = NewBudget(8)
	assert.True(t, b.Take(8))
	assert.False(t, b.Spent())
	assert.False(t, b.Take(1))
	assert.True(t, b.Spent())

	var unbounded *Budget
	assert.Equal(t, "all of it", string(unbounded.Append(nil, "all of it")))
	assert.True(t, unbounded.Take(1<<40))
	assert.False(t, unbounded.Spent())
	assert.Equal(t, "x", unbounded.Text([]byte("x")))
}

func TestKeepFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want int
	}{{"", DefaultKeep}, {"4096", 4096}, {"0", DefaultKeep}, {"-1", DefaultKeep}, {"x", DefaultKeep}, {"1099511627776", DefaultKeep}} {
		t.Setenv(envCaptureMaxBytes, tc.env)
		assert.Equal(t, tc.want, KeepFromEnv(), "%q", tc.env)
	}
}

// deltas is a stream of one delta event per piece, ended.
func deltas(pieces ...string) string {
	var b strings.Builder
	for _, p := range pieces {
		b.WriteString("data: {\"delta\":\"" + p + "\"}\n\n")
	}
	return b.String() + "data: [END]\n\n"
}

// A stream keeps what the client records of an output, its capture cap,
// and no more; what ends the answer is still read past it.
func TestStreamKeepsTheCaptureCap(t *testing.T) {
	t.Setenv(envCaptureMaxBytes, "64")
	ctx, rec := langfusetest.New(t)
	stream := deltas(strings.Repeat(strings.Repeat("a", 19)+" ", 10)) // 200 bytes
	rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
	assert.Equal(t, stream, readAll(t, call(t, ctx, rt, request)), "the SDK gets it all")
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, strings.Repeat(strings.Repeat("a", 19)+" ", 10)[:64], g.Output)
	assert.Equal(t, int64(64), g.Metadata["langfuse_output_cut"].AsInt64())
	assert.Empty(t, g.Level, "the answer ended: [END] was read past the cap")
}

// A key the answer spells over several events is found in the text they
// make, and a key the capture cap cuts leaves no piece behind.
func TestKeyInStreamedText(t *testing.T) {
	t.Run("sent in pieces", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		stream := deltas("your key: ", longKey[:12], longKey[12:30], longKey[30:], ".")
		rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
		readAll(t, callWith(t, ctx, rt, map[string][]string{"Authorization": {"Bearer " + longKey}}))
		assert.Equal(t, "your key: [REDACTED].", llmtest.Find(t, rec, "fake.complete").Output)
		llmtest.AssertNoSecret(t, rec, "sk-secret-key", longKey[:8])
	})
	t.Run("cut by the cap", func(t *testing.T) {
		t.Setenv(envCaptureMaxBytes, "30")
		ctx, rec := langfusetest.New(t)
		stream := deltas("your key: ", longKey[:12], longKey[12:], ".")
		rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
		readAll(t, callWith(t, ctx, rt, map[string][]string{"Authorization": {"Bearer " + longKey}}))
		g := llmtest.Find(t, rec, "fake.complete")
		assert.Equal(t, "your key: ", g.Output, "the 20 bytes of the key that fit are taken off")
		llmtest.AssertNoSecret(t, rec, "sk-secret-key", longKey[:8])
	})
}
