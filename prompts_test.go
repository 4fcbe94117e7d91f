package langfuse_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/prompt"
)

func TestPromptTextByLabelAndVersion(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("support/answer", "Answer {{question}} as a {{tone}} agent.", "production")
	f.add("support/answer", "Answer {{question}} briefly.", "staging")
	c, _ := promptClient(t, srv.URL, nil)
	ctx := context.Background()

	p, err := c.Prompt(ctx, "support/answer")
	require.NoError(t, err)
	assert.Equal(t, "support/answer", p.Name)
	assert.Equal(t, 1, p.Version)
	assert.Equal(t, prompt.TypeText, p.Type)
	assert.Equal(t, []string{"production"}, p.Labels)
	assert.Equal(t, []string{"support"}, p.Tags)
	assert.JSONEq(t, `{"model":"gpt-x","temperature":0.2}`, string(p.Config))
	assert.False(t, p.IsFallback)
	text, err := p.Compile(map[string]any{"question": "why", "tone": "kind"})
	require.NoError(t, err)
	assert.Equal(t, "Answer why as a kind agent.", text)
	type modelConfig struct {
		Model       string  `json:"model"`
		Temperature float64 `json:"temperature"`
	}
	mc, err := prompt.ConfigAs[modelConfig](p)
	require.NoError(t, err)
	assert.Equal(t, modelConfig{"gpt-x", 0.2}, mc)

	for _, tt := range []struct {
		opt     prompt.Option
		version int
		query   string
	}{
		{prompt.Label("staging"), 2, "label=staging"},
		{prompt.Label("latest"), 2, "label=latest"},
		{prompt.Version(1), 1, "version=1"},
		{prompt.Version(2), 2, "version=2"},
	} {
		p, err := c.Prompt(ctx, "support/answer", tt.opt)
		require.NoError(t, err, tt.query)
		assert.Equal(t, tt.version, p.Version, tt.query)
	}
	reqs := f.requests()
	require.Len(t, reqs, 5, "one request for each label and version")
	queries := []string{}
	for _, r := range reqs {
		assert.Equal(t, promptsPath+"/support%2Fanswer", r.EscapedPath, "the folder's slash is escaped")
		queries = append(queries, r.Query.Encode())
		assert.Equal(t, "langfuse-go", r.Header.Get("x-langfuse-sdk-name"))
		assert.Equal(t, promptPublicKey, r.Header.Get("x-langfuse-public-key"))
	}
	assert.Equal(t, []string{"label=production", "label=staging", "label=latest", "version=1", "version=2"}, queries)
}

func TestPromptNamesAreEscaped(t *testing.T) {
	f, srv := newFakePrompts(t)
	names := []string{"a/b/c", "with space", "q?x=1&y", "100%", "ünï/cødé", "hash#tag", "dot.s-and_more"}
	for _, n := range names {
		f.add(n, "text of "+n, "production")
	}
	c, _ := promptClient(t, srv.URL, nil)
	for _, n := range names {
		p, err := c.Prompt(context.Background(), n)
		require.NoError(t, err, n)
		assert.Equal(t, "text of "+n, p.Text, n)
	}
	for _, r := range f.requests() {
		assert.NotContains(t, strings.TrimPrefix(r.EscapedPath, promptsPath+"/"), "/", "the name is one path segment")
	}
}

func TestPromptChatWithPlaceholders(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("support/chat", []any{
		map[string]any{"type": "chatmessage", "role": "system", "content": "You help with {{product}}."},
		map[string]any{"type": "placeholder", "name": "history"},
		map[string]any{"role": "user", "content": "{{question}}"}, // older answers carry no type
	}, "production")
	c, _ := promptClient(t, srv.URL, nil)
	p, err := c.Prompt(context.Background(), "support/chat")
	require.NoError(t, err)
	assert.Equal(t, prompt.TypeChat, p.Type)
	assert.Equal(t, []prompt.Message{
		{Role: "system", Content: "You help with {{product}}."},
		{Placeholder: "history"},
		{Role: "user", Content: "{{question}}"},
	}, p.Messages)
	assert.Equal(t, []string{"product", "question"}, p.Variables())
	msgs, err := p.CompileChat(map[string]any{"product": "Go", "question": "Why?"},
		map[string][]prompt.Message{"history": {{Role: "user", Content: "Hi"}, {Role: "assistant", Content: "Hello"}}})
	require.NoError(t, err)
	assert.Equal(t, []prompt.Message{
		{Role: "system", Content: "You help with Go."},
		{Role: "user", Content: "Hi"},
		{Role: "assistant", Content: "Hello"},
		{Role: "user", Content: "Why?"},
	}, msgs)
}

func TestPromptIsCached(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	c, _ := promptClient(t, srv.URL, nil)
	first, err := c.Prompt(context.Background(), "p")
	require.NoError(t, err)
	for range 10 {
		p, err := c.Prompt(context.Background(), "p")
		require.NoError(t, err)
		assert.Same(t, first, p, "served from memory")
	}
	assert.EqualValues(t, 1, f.gets.Load())

	// No cache: every call asks.
	for range 3 {
		_, err := c.Prompt(context.Background(), "p", prompt.CacheTTL(0))
		require.NoError(t, err)
	}
	assert.EqualValues(t, 4, f.gets.Load())
}

func TestPromptCacheTTLFromTheConfiguration(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	c, _ := promptClient(t, srv.URL, func(cfg *config.Config) { cfg.PromptCacheTTL = 0 })
	for range 3 {
		_, err := c.Prompt(context.Background(), "p")
		require.NoError(t, err)
	}
	assert.EqualValues(t, 3, f.gets.Load(), "LANGFUSE_PROMPT_CACHE_DEFAULT_TTL_SECONDS=0: no cache")
	for range 3 {
		_, err := c.Prompt(context.Background(), "p", prompt.Label("latest"), prompt.CacheTTL(time.Hour))
		require.NoError(t, err)
	}
	assert.EqualValues(t, 4, f.gets.Load(), "the call's CacheTTL wins")
}

func TestPromptCacheTTLFromTheEnvironment(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	t.Setenv(config.EnvPublicKey, promptPublicKey)
	t.Setenv(config.EnvSecretKey, promptSecretKey)
	t.Setenv(config.EnvBaseURL, srv.URL)
	t.Setenv(config.EnvPromptCacheTTL, "0")
	c, err := langfuse.New(langfuse.AsDefault(false), langfuse.WithSpanExporter(langfusetest.NewRecorder()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	for range 2 {
		_, err := c.Prompt(context.Background(), "p")
		require.NoError(t, err)
	}
	assert.EqualValues(t, 2, f.gets.Load())
}

func TestPromptErrors(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		want    error
		retried bool
	}{
		{"404", http.StatusNotFound, `{"message":"Prompt not found"}`, langfuse.ErrPromptNotFound, false},
		{"401", http.StatusUnauthorized, `{"message":"Invalid credentials"}`, langfuse.ErrPromptAccessDenied, false},
		{"403", http.StatusForbidden, `{"message":"Forbidden"}`, langfuse.ErrPromptAccessDenied, false},
		{"500", http.StatusInternalServerError, `boom`, langfuse.ErrPromptUnreachable, true},
		{"503", http.StatusServiceUnavailable, `down`, langfuse.ErrPromptUnreachable, true},
		{"429", http.StatusTooManyRequests, `slow down`, langfuse.ErrPromptUnreachable, true},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakePrompts(t)
			f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Retry-After", "0")
				http.Error(w, tt.body, tt.status)
				return true
			})
			c, _ := promptClient(t, srv.URL, nil)
			_, err := c.Prompt(context.Background(), "team/p", prompt.Label("staging"))
			require.ErrorIs(t, err, tt.want)
			var ae *langfuse.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Contains(t, err.Error(), `prompt "team/p" (label staging)`)
			assert.Contains(t, err.Error(), tt.body)
			if tt.status == http.StatusNotFound {
				assert.ErrorIs(t, err, langfuse.ErrNotFound)
			}
			want := 1
			if tt.retried {
				want = 3
			}
			assert.EqualValues(t, want, f.gets.Load())
		})
	}
}

func TestPromptRetriesA429AfterItsRetryAfter(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if f.gets.Load() == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return true
		}
		return false
	})
	c, _ := promptClient(t, srv.URL, nil)
	p, err := c.Prompt(context.Background(), "p")
	require.NoError(t, err)
	assert.Equal(t, "v1", p.Text)
	assert.EqualValues(t, 2, f.gets.Load())
}

func TestPromptRetryAfterLongerThanTheBudgetEndsAtOnce(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return true
	})
	c, _ := promptClient(t, srv.URL, nil)
	_, err := c.Prompt(context.Background(), "p")
	require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
	assert.EqualValues(t, 1, f.gets.Load(), "no wait past LANGFUSE_TIMEOUT")
}

func TestPromptBadAnswers(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"malformed JSON", `{"name": "p", "version": `, "not the JSON expected"},
		{"not JSON", `<html>gateway</html>`, "not the JSON expected"},
		{"no version", `{"name":"p","type":"text","prompt":"x"}`, "version 0 is not a version"},
		{"no name", `{"version":1,"type":"text","prompt":"x"}`, "no name"},
		{"text not a string", `{"name":"p","version":1,"type":"text","prompt":["x"]}`, "not a string"},
		{"chat not a list", `{"name":"p","version":1,"type":"chat","prompt":"x"}`, "not a list of messages"},
		{"chat message without role", `{"name":"p","version":1,"type":"chat","prompt":[{"content":"x"}]}`, "no role"},
		{"placeholder without name", `{"name":"p","version":1,"type":"chat","prompt":[{"type":"placeholder"}]}`, "without a name"},
		{"unknown entry", `{"name":"p","version":1,"type":"chat","prompt":[{"type":"image"}]}`, `of type "image"`},
		{"unknown type", `{"name":"p","version":1,"type":"audio","prompt":"x"}`, `type "audio"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakePrompts(t)
			f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				_, _ = w.Write([]byte(tt.body))
				return true
			})
			c, _ := promptClient(t, srv.URL, nil)
			_, err := c.Prompt(context.Background(), "p")
			require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
			assert.Contains(t, err.Error(), tt.want)
			assert.EqualValues(t, 1, f.gets.Load(), "a bad answer is not asked again")
		})
	}
}

// TestPromptHugeAnswerIsReadToTheBudget checks that an answer of 50 MB
// is given up at the byte budget, whether or not it says its length.
func TestPromptHugeAnswerIsReadToTheBudget(t *testing.T) {
	langfuse.SetMaxAnswerBytes(t, 1<<20)
	const size = 50 << 20
	for _, declared := range []bool{false, true} {
		t.Run(fmt.Sprint("Content-Length ", declared), func(t *testing.T) {
			f, srv := newFakePrompts(t)
			var written int64
			var mu sync.Mutex
			f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				if declared {
					w.Header().Set("Content-Length", fmt.Sprint(size))
				}
				chunk := bytes.Repeat([]byte("x"), 64<<10)
				for n := 0; n < size; n += len(chunk) {
					k, err := w.Write(chunk)
					mu.Lock()
					written += int64(k)
					mu.Unlock()
					if err != nil {
						break
					}
				}
				return true
			})
			c, _ := promptClient(t, srv.URL, nil)
			_, err := c.Prompt(context.Background(), "p")
			require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
			assert.Contains(t, err.Error(), "answer over 1048576 bytes")
			srv.Close() // waits for the handler
			mu.Lock()
			defer mu.Unlock()
			assert.Less(t, written, int64(size), "the client stopped reading long before the end")
		})
	}
}

func TestPromptHangingServer(t *testing.T) {
	hang := func(f *fakePrompts) chan struct{} {
		arrived := make(chan struct{}, 8)
		f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
			arrived <- struct{}{}
			<-r.Context().Done() // until the client gives up
			return true
		})
		return arrived
	}
	t.Run("LANGFUSE_TIMEOUT", func(t *testing.T) {
		f, srv := newFakePrompts(t)
		hang(f)
		c, _ := promptClient(t, srv.URL, func(cfg *config.Config) { cfg.Timeout = 50 * time.Millisecond })
		_, err := c.Prompt(context.Background(), "p")
		require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("ctx", func(t *testing.T) {
		f, srv := newFakePrompts(t)
		arrived := hang(f)
		c, _ := promptClient(t, srv.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.Prompt(ctx, "p")
			done <- err
		}()
		<-arrived
		cancel()
		err := <-done
		require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
		assert.ErrorIs(t, err, context.Canceled)
		assert.EqualValues(t, 1, f.gets.Load(), "a request its caller gave up is not made again")
	})
	t.Run("fallback", func(t *testing.T) {
		f, srv := newFakePrompts(t)
		hang(f)
		c, _ := promptClient(t, srv.URL, func(cfg *config.Config) { cfg.Timeout = 50 * time.Millisecond })
		p, err := c.Prompt(context.Background(), "p", prompt.Fallback(prompt.Prompt{Text: "local"}))
		require.NoError(t, err)
		assert.True(t, p.IsFallback)
		assert.Equal(t, "local", p.Text)
	})
}

func TestPromptUnreachableServer(t *testing.T) {
	_, srv := newFakePrompts(t)
	base := srv.URL
	srv.Close() // nothing listens there any more
	c, _ := promptClient(t, base, nil)
	_, err := c.Prompt(context.Background(), "p")
	require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
}

// TestPromptColdKeyConcurrentCallers checks that 1,000 callers of a
// prompt never fetched make one request between them.
func TestPromptColdKeyConcurrentCallers(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	release := make(chan struct{})
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		<-release
		return false
	})
	c, _ := promptClient(t, srv.URL, nil)
	const n = 1000
	started := make(chan struct{}, n)
	errs := make([]error, n)
	got := make([]*prompt.Prompt, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			started <- struct{}{}
			got[i], errs[i] = c.Prompt(context.Background(), "p")
		})
	}
	for range n {
		<-started
	}
	close(release)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, 1, got[i].Version)
	}
	assert.EqualValues(t, 1, f.gets.Load(), "one request for a cold prompt")
}

// TestPromptStaleKeyConcurrentCallers checks that 1,000 callers of a
// stale prompt get it at once while one request refreshes it.
func TestPromptStaleKeyConcurrentCallers(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	c, _ := promptClient(t, srv.URL, nil)
	ttl := prompt.CacheTTL(time.Nanosecond) // stale at once
	_, err := c.Prompt(context.Background(), "p", ttl)
	require.NoError(t, err)

	arrived, release := make(chan struct{}, 1), make(chan struct{})
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return false
	})
	f.add("p", "v2", "production")
	const n = 1000
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			p, err := c.Prompt(context.Background(), "p", ttl)
			assert.NoError(t, err)
			assert.Equal(t, "v1", p.Text, "the stale version, at once")
		})
	}
	wg.Wait() // every caller returned while the refresh is held
	<-arrived
	assert.EqualValues(t, 2, f.gets.Load(), "one refresh for all of them")
	close(release)
}

// TestPromptFollowerOutlivesTheFetcher checks that when the caller whose
// request fetches a cold prompt gives up, one that waited for it asks
// again under its own ctx instead of failing with the other's.
func TestPromptFollowerOutlivesTheFetcher(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	arrived := make(chan struct{}, 1)
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if f.gets.Load() == 1 {
			arrived <- struct{}{}
			<-r.Context().Done() // the first request hangs until its caller leaves
			return true
		}
		return false
	})
	c, _ := promptClient(t, srv.URL, nil)
	leaderCtx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, err := c.Prompt(leaderCtx, "p")
		leader <- err
	}()
	<-arrived
	waiting := newSignalCtx()
	follower := make(chan error, 1)
	go func() {
		_, err := c.Prompt(waiting, "p")
		follower <- err
	}()
	<-waiting.asked // the follower waits for the leader's fetch
	cancel()
	require.ErrorIs(t, <-leader, context.Canceled)
	require.NoError(t, <-follower)
	assert.EqualValues(t, 2, f.gets.Load())
}

// signalCtx is a context that says when Done is first asked for: a
// caller is about to wait on it.
type signalCtx struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func newSignalCtx() *signalCtx {
	return &signalCtx{Context: context.Background(), asked: make(chan struct{})}
}

func (s *signalCtx) Done() <-chan struct{} {
	s.once.Do(func() { close(s.asked) })
	return s.Context.Done()
}

func TestPromptFallback(t *testing.T) {
	fb := prompt.Fallback(prompt.Prompt{Text: "Answer {{question}}.", Config: []byte(`{"model":"local"}`)})
	t.Run("not found", func(t *testing.T) {
		_, srv := newFakePrompts(t)
		c, rec := promptClient(t, srv.URL, nil)
		p, err := c.Prompt(context.Background(), "missing", fb)
		require.NoError(t, err)
		assert.True(t, p.IsFallback)
		assert.Equal(t, "missing", p.Name, "named after the prompt asked for")
		assert.Equal(t, prompt.TypeText, p.Type)
		text, err := p.Compile(map[string]any{"question": "q"})
		require.NoError(t, err)
		assert.Equal(t, "Answer q.", text)

		// Never linked to a generation.
		_, gen := observe.Start(c.Context(context.Background()), "llm", observe.AsType(observe.TypeGeneration), observe.FromPrompt(p))
		gen.End()
		o := find(t, rec, "llm")
		assert.Empty(t, o.PromptName)
		assert.Zero(t, o.PromptVersion)
	})
	t.Run("chat", func(t *testing.T) {
		_, srv := newFakePrompts(t)
		c, _ := promptClient(t, srv.URL, nil)
		p, err := c.Prompt(context.Background(), "missing",
			prompt.Fallback(prompt.Prompt{Messages: []prompt.Message{{Role: "system", Content: "Be brief."}}}))
		require.NoError(t, err)
		assert.Equal(t, prompt.TypeChat, p.Type)
	})
	t.Run("no keys", func(t *testing.T) {
		cfg := config.Default()
		c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()), langfuse.AsDefault(false))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
		_, err = c.Prompt(context.Background(), "p")
		require.ErrorIs(t, err, langfuse.ErrNoKeys)
		p, err := c.Prompt(context.Background(), "p", fb)
		require.NoError(t, err)
		assert.True(t, p.IsFallback)
	})
	t.Run("not once a version was fetched", func(t *testing.T) {
		f, srv := newFakePrompts(t)
		f.add("p", "v1", "production")
		c, _ := promptClient(t, srv.URL, nil)
		_, err := c.Prompt(context.Background(), "p", prompt.CacheTTL(0))
		require.NoError(t, err)
		f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "gone", http.StatusNotFound)
			return true
		})
		p, err := c.Prompt(context.Background(), "p", prompt.CacheTTL(0), fb)
		require.NoError(t, err)
		assert.False(t, p.IsFallback, "the last version fetched stands in")
		assert.Equal(t, "v1", p.Text)
	})
	t.Run("not for a bad call", func(t *testing.T) {
		_, srv := newFakePrompts(t)
		c, _ := promptClient(t, srv.URL, nil)
		_, err := c.Prompt(context.Background(), "", fb)
		require.ErrorIs(t, err, langfuse.ErrInvalidPrompt)
		_, err = c.Prompt(context.Background(), "p", prompt.Version(-1), fb)
		require.ErrorIs(t, err, langfuse.ErrInvalidPrompt)
	})
}

func TestPromptLinksTheGeneration(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("support/answer", "v1", "production")
	f.add("support/answer", "v2", "production")
	c, rec := promptClient(t, srv.URL, nil)
	ctx := c.Context(context.Background())
	p, err := langfuse.GetPrompt(ctx, "support/answer")
	require.NoError(t, err)
	_, gen := observe.Start(ctx, "llm", observe.AsType(observe.TypeGeneration), observe.FromPrompt(p))
	gen.End()
	o := find(t, rec, "llm")
	assert.Equal(t, "support/answer", o.PromptName)
	assert.Equal(t, 2, o.PromptVersion)
}

func TestGetPromptFindsTheClient(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	t.Run("ctx", func(t *testing.T) {
		c, _ := promptClient(t, srv.URL, nil)
		p, err := langfuse.GetPrompt(c.Context(context.Background()), "p")
		require.NoError(t, err)
		assert.Equal(t, "v1", p.Text)
	})
	t.Run("default", func(t *testing.T) {
		cfg := promptConfig(srv.URL)
		c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
		p, err := langfuse.GetPrompt(context.Background(), "p")
		require.NoError(t, err)
		assert.Equal(t, "v1", p.Text)
	})
	for _, name := range []string{"tracing disabled, ctx", "tracing disabled, default"} {
		t.Run(name, func(t *testing.T) {
			cfg := promptConfig(srv.URL)
			cfg.TracingEnabled = false
			asDefault := strings.HasSuffix(name, "default")
			c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.AsDefault(asDefault))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
			ctx := context.Background()
			if !asDefault {
				ctx = c.Context(ctx)
			}
			p, err := langfuse.GetPrompt(ctx, "p")
			require.NoError(t, err)
			assert.Equal(t, "v1", p.Text)
			p, err = c.Prompt(context.Background(), "p", prompt.CacheTTL(0))
			require.NoError(t, err)
			assert.Equal(t, "v1", p.Text)
		})
	}
}

// TestPromptThroughWithHTTPClient checks that prompts go through the
// program's client, the only one here that reaches the server.
func TestPromptThroughWithHTTPClient(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	tr := &countingTransport{next: http.DefaultTransport}
	hc := &http.Client{Transport: tr}
	c, _ := promptClient(t, srv.URL, nil, langfuse.WithHTTPClient(hc))
	_, err := c.Prompt(context.Background(), "p")
	require.NoError(t, err)
	require.NoError(t, c.SetPromptLabels(context.Background(), "p", 1, "staging"))
	_, err = c.CreatePrompt(context.Background(), prompt.Draft{Name: "p", Text: "v2"})
	require.NoError(t, err)
	assert.EqualValues(t, 3, tr.n.Load(), "get, label and create through the program's transport")
}

// TestPromptBadDestinationFailsClosed checks that with a malformed
// LANGFUSE_BASE_URL the keys go nowhere: the error says why, and a
// fallback is served.
func TestPromptBadDestinationFailsClosed(t *testing.T) {
	t.Setenv(config.EnvPublicKey, promptPublicKey)
	t.Setenv(config.EnvSecretKey, promptSecretKey)
	t.Setenv(config.EnvBaseURL, "cloud.langfuse.com") // no scheme
	c, err := langfuse.New(langfuse.AsDefault(false))
	require.ErrorIs(t, err, config.ErrDestination)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	_, err = c.Prompt(context.Background(), "p")
	require.ErrorIs(t, err, config.ErrDestination)
	assert.NotContains(t, err.Error(), promptSecretKey)
	p, err := c.Prompt(context.Background(), "p", prompt.Fallback(prompt.Prompt{Text: "local"}))
	require.NoError(t, err)
	assert.True(t, p.IsFallback)
	_, err = c.CreatePrompt(context.Background(), prompt.Draft{Name: "p", Text: "x"})
	require.ErrorIs(t, err, config.ErrDestination)
}

// TestPromptCacheIsBounded checks that a service that asks for ever new
// names keeps at most 1,024 prompts: the least recently used is fetched
// again, the latest is not.
func TestPromptCacheIsBounded(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		name := strings.TrimPrefix(r.URL.Path, promptsPath+"/")
		fmt.Fprintf(w, `{"name":%q,"version":1,"type":"text","prompt":"x","labels":["production"],"tags":[],"config":{}}`, name)
		return true
	})
	c, _ := promptClient(t, srv.URL, nil)
	const n = 1100
	for i := range n {
		_, err := c.Prompt(context.Background(), fmt.Sprint("p", i))
		require.NoError(t, err)
	}
	require.EqualValues(t, n, f.gets.Load())
	_, err := c.Prompt(context.Background(), fmt.Sprint("p", n-1))
	require.NoError(t, err)
	assert.EqualValues(t, n, f.gets.Load(), "the latest is cached")
	_, err = c.Prompt(context.Background(), "p0")
	require.NoError(t, err)
	assert.EqualValues(t, n+1, f.gets.Load(), "the first made room")
}

// syncLog collects log lines and says when one with a message arrives.
type syncLog struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func newSyncLog() *syncLog { return &syncLog{lines: make(chan string, 64)} }

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	select {
	case l.lines <- string(p):
	default:
	}
	return len(p), nil
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestPromptFailedRefreshIsLoggedRateLimited checks that a background
// refresh that fails keeps the stale version and is logged once for many
// failures, without the secret.
func TestPromptFailedRefreshIsLoggedRateLimited(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	logs := newSyncLog()
	c, _ := promptClient(t, srv.URL, nil, langfuse.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	ttl := prompt.CacheTTL(time.Nanosecond)
	_, err := c.Prompt(context.Background(), "p", ttl)
	require.NoError(t, err)
	hits := make(chan struct{}, 8)
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		hits <- struct{}{}
		http.Error(w, "no: "+r.Header.Get("Authorization")+" "+promptSecretKey, http.StatusNotFound)
		return true
	})
	p, err := c.Prompt(context.Background(), "p", ttl)
	require.NoError(t, err)
	assert.Equal(t, "v1", p.Text)
	<-hits
	line := <-logs.lines
	assert.Contains(t, line, "could not be refreshed")
	p, err = c.Prompt(context.Background(), "p", ttl) // a second refresh fails too
	require.NoError(t, err)
	assert.Equal(t, "v1", p.Text, "the stale version stays")
	<-hits
	require.NoError(t, c.Shutdown(context.Background())) // waits for the refresh
	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "could not be refreshed"), "rate-limited:\n%s", out)
	assert.NotContains(t, out, promptSecretKey)
	assert.NotContains(t, out, strings.TrimPrefix(f.requests()[0].Header.Get("Authorization"), "Basic "))
	assert.Contains(t, out, "[REDACTED]")
}

// TestPromptSecretsNeverInErrorsOrLogs checks errors and the fallback's
// log line against a server that echoes the credentials.
func TestPromptSecretsNeverInErrorsOrLogs(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "echo: "+r.Header.Get("Authorization")+" key="+promptSecretKey, http.StatusBadGateway)
		return true
	})
	logs := newSyncLog()
	c, _ := promptClient(t, srv.URL, nil, langfuse.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	auth := strings.TrimPrefix(promptAuthHeader(), "Basic ")
	_, err := c.Prompt(context.Background(), "p")
	require.Error(t, err)
	_, err2 := c.Prompt(context.Background(), "q", prompt.Fallback(prompt.Prompt{Text: "x"}))
	require.NoError(t, err2)
	_, err3 := c.CreatePrompt(context.Background(), prompt.Draft{Name: "p", Text: "x"})
	require.Error(t, err3)
	err4 := c.SetPromptLabels(context.Background(), "p", 1, "production")
	require.Error(t, err4)
	for _, text := range []string{err.Error(), err3.Error(), err4.Error(), logs.String()} {
		assert.NotContains(t, text, promptSecretKey)
		assert.NotContains(t, text, auth)
	}
	assert.Contains(t, err.Error(), "[REDACTED]")
	assert.Contains(t, logs.String(), "fallback")
}

// promptAuthHeader is the Authorization header of the test keys.
func promptAuthHeader() string {
	r, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	r.SetBasicAuth(promptPublicKey, promptSecretKey)
	return r.Header.Get("Authorization")
}

func TestPrefetchPrompts(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("a", "A", "production")
	f.add("b", "B", "production")
	c, _ := promptClient(t, srv.URL, nil)
	err := c.PrefetchPrompts(context.Background(), "a", "b", "missing")
	require.ErrorIs(t, err, langfuse.ErrPromptNotFound)
	assert.Contains(t, err.Error(), `"missing"`)
	assert.EqualValues(t, 3, f.gets.Load())
	for _, n := range []string{"a", "b"} {
		_, err := c.Prompt(context.Background(), n)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 3, f.gets.Load(), "served from the cache")
	require.NoError(t, c.PrefetchPrompts(context.Background()))
}

func TestPromptAfterShutdown(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	c, _ := promptClient(t, srv.URL, nil)
	require.NoError(t, c.Shutdown(context.Background()))
	_, err := c.Prompt(context.Background(), "p")
	require.ErrorIs(t, err, langfuse.ErrPromptUnreachable)
	assert.Contains(t, err.Error(), "shut down")
	p, err := c.Prompt(context.Background(), "p", prompt.Fallback(prompt.Prompt{Text: "x"}))
	require.NoError(t, err)
	assert.True(t, p.IsFallback)
	assert.Zero(t, f.gets.Load())
}

func TestPromptNilClient(t *testing.T) {
	var c *langfuse.Client
	_, err := c.Prompt(context.Background(), "p")
	require.ErrorIs(t, err, langfuse.ErrNoKeys)
	p, err := c.Prompt(context.Background(), "p", prompt.Fallback(prompt.Prompt{Text: "x"}))
	require.NoError(t, err)
	assert.True(t, p.IsFallback)
	_, err = c.CreatePrompt(context.Background(), prompt.Draft{Name: "p", Text: "x"})
	require.ErrorIs(t, err, langfuse.ErrNoKeys)
	require.ErrorIs(t, c.SetPromptLabels(context.Background(), "p", 1), langfuse.ErrNoKeys)
	require.True(t, errors.Is(c.PrefetchPrompts(context.Background(), "p"), langfuse.ErrNoKeys))
}

// TestPromptShutdownLeavesNoGoroutine checks that Shutdown cancels a
// background refresh the server holds, and leaves nothing running.
func TestPromptShutdownLeavesNoGoroutine(t *testing.T) {
	f, srv := newFakePrompts(t)
	f.add("p", "v1", "production")
	before := goleak.IgnoreCurrent()
	cfg := promptConfig(srv.URL)
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()),
		langfuse.AsDefault(false), langfuse.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	ttl := prompt.CacheTTL(time.Nanosecond)
	_, err = c.Prompt(context.Background(), "p", ttl)
	require.NoError(t, err)
	arrived := make(chan struct{}, 1)
	f.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		arrived <- struct{}{}
		<-r.Context().Done() // holds the refresh until the client gives up
		return true
	})
	_, err = c.Prompt(context.Background(), "p", ttl) // stale: a refresh starts
	require.NoError(t, err)
	<-arrived
	require.NoError(t, c.Shutdown(context.Background()))
	goleak.VerifyNone(t, before)
}
