package langfuse_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// The README's recommended mask.
var cardNumber = regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`)

func maskCards(s string) string { return cardNumber.ReplaceAllString(s, "****") }

// boundClient makes a client of the test's own, bound to the returned
// ctx, so tests that set options can run in parallel.
func boundClient(t *testing.T, opts ...langfuse.Option) (context.Context, *langfusetest.Recorder) {
	t.Helper()
	cfg := config.Default()
	cfg.ExportMode = config.ExportImmediate
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(append([]langfuse.Option{langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec),
		langfuse.AsDefault(false)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c.Context(context.Background()), rec
}

// exported returns every text of o that leaves the process: name,
// attributes, status and events.
func exported(o langfusetest.Observation) string {
	var b strings.Builder
	b.WriteString(o.Name + "\n" + o.Status.Description + "\n")
	for _, kv := range o.Span.Attributes() {
		b.WriteString(string(kv.Key) + "=" + kv.Value.String() + "\n")
	}
	for _, ev := range o.Span.Events() {
		b.WriteString(ev.Name + "\n")
		for _, kv := range ev.Attributes {
			b.WriteString(string(kv.Key) + "=" + kv.Value.String() + "\n")
		}
	}
	return b.String()
}

// assertNoLeak checks that no observation of rec carries any of secrets.
func assertNoLeak(t *testing.T, rec *langfusetest.Recorder, secrets ...string) {
	t.Helper()
	obs := rec.Observations()
	require.NotEmpty(t, obs)
	for _, o := range obs {
		text := exported(o)
		for _, s := range secrets {
			assert.NotContains(t, text, s, "observation %q", o.Name)
		}
	}
}

type chatMessage struct {
	Role    string
	Content string
}

const card = "4111-1111-1111-1111"

func TestTextMaskCoversEveryType(t *testing.T) {
	t.Parallel()
	ctx, rec := boundClient(t, langfuse.WithTextMask(maskCards))

	reply := langfuse.Observe1("reply", func(ctx context.Context, m chatMessage) (chatMessage, error) {
		observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{
			"message": m, "card": card, "number": int64(4111111111111111),
		}))
		return chatMessage{Role: "assistant", Content: "charged " + m.Content}, nil
	})
	_, err := reply(ctx, chatMessage{Role: "user", Content: "card " + card})
	require.NoError(t, err)

	pay := langfuse.Observe2("pay", func(_ context.Context, who string, msgs []any) (string, error) {
		return "ok", nil
	})
	_, err = pay(ctx, "ann", []any{chatMessage{Content: card}, map[string]any{"c": card}})
	require.NoError(t, err)

	decline := langfuse.ObserveErr("decline", func(context.Context) error {
		return errors.New("card " + card + " declined")
	})
	require.Error(t, decline(ctx))

	explode := langfuse.Observe1("explode", func(_ context.Context, m chatMessage) (string, error) {
		panic("bad card " + m.Content)
	})
	assert.Panics(t, func() { _, _ = explode(ctx, chatMessage{Content: card}) })

	assertNoLeak(t, rec, card, "4111111111111111", "4111-1111")
	o := find(t, rec, "reply")
	assert.JSONEq(t, `{"Role":"user","Content":"card ****"}`, o.Input)
	assert.JSONEq(t, `{"Role":"assistant","Content":"charged card ****"}`, o.Output)
	assert.Equal(t, "****", o.Metadata["number"].AsString())
	assert.Contains(t, find(t, rec, "pay").Input, "****")
	assert.Equal(t, "card **** declined", find(t, rec, "decline").StatusMessage)
	ex := find(t, rec, "explode")
	assert.Equal(t, "panic: bad card ****", ex.StatusMessage)
	assert.True(t, ex.Failed())
}

func TestTextMaskCoversHandlerInput(t *testing.T) {
	t.Parallel()
	ctx, rec := boundClient(t, langfuse.WithTextMask(maskCards))
	h := langfuse.ObserveHandler("checkout", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/pay?card=4111111111111111", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	assertNoLeak(t, rec, "4111111111111111")
	assert.Contains(t, find(t, rec, "checkout").Input, "card=****")
}

func TestPanickingTextMaskNeverLeaksTheText(t *testing.T) {
	t.Parallel()
	ctx, rec := boundClient(t, langfuse.WithTextMask(func(string) string { panic("mask bug") }))
	f := langfuse.Observe1("f", func(_ context.Context, m chatMessage) (chatMessage, error) {
		observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"m": m}))
		return m, nil
	})
	fail := langfuse.ObserveErr("fail", func(context.Context) error { return errors.New("secret in error") })
	got, err := f(ctx, chatMessage{Content: "secret"})
	require.NoError(t, err)
	assert.Equal(t, "secret", got.Content, "the wrapped call is unaffected")
	require.Error(t, fail(ctx))
	o := find(t, rec, "f")
	assert.Equal(t, capture.MaskFailed, o.Input)
	assert.Equal(t, capture.MaskFailed, o.Output)
	assert.Equal(t, capture.MaskFailed, find(t, rec, "fail").StatusMessage)
	assertNoLeak(t, rec, "secret")
}

func TestRequestArgumentIsRedacted(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	proxy := langfuse.Observe1("proxy", func(_ context.Context, r *http.Request) (*http.Request, error) {
		return r, nil
	})
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "https://api.example.com/v1/models?token=tok-secret&q=hi", nil)
	r.Header.Set("Authorization", "Bearer sk-proj-secret")
	r.Header.Set("Cookie", "session=cookie-secret")
	_, err := proxy(ctx, r)
	require.NoError(t, err)
	assertNoLeak(t, rec, "sk-proj-secret", "tok-secret", "cookie-secret")
	o := find(t, rec, "proxy")
	assert.Contains(t, o.Input, `"Authorization":["[REDACTED]"]`)
	assert.Contains(t, o.Input, "token=[REDACTED]&q=hi")
	assert.Contains(t, o.Output, `"Cookie":["[REDACTED]"]`)
}

func TestConfigArgumentHidesTheSecretKey(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey = "pk-lf-public", "sk-lf-secret"
	setup := langfuse.Observe2("setup", func(ctx context.Context, c config.Config, p *config.Config) (string, error) {
		observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"config": c}))
		return "", errors.New("bad config: " + c.String())
	})
	_, err := setup(ctx, cfg, &cfg)
	require.Error(t, err)
	assertNoLeak(t, rec, "sk-lf-secret")
	assert.Contains(t, find(t, rec, "setup").Input, "pk-lf-public")
}
