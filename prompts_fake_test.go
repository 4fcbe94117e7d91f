package langfuse_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
)

const (
	promptPublicKey = "pk-lf-prompts"
	promptSecretKey = "sk-lf-prompts-0123456789-secret"
	promptsPath     = "/api/public/v2/prompts"
)

// fakePrompts is a server shaped like Langfuse's prompts API, behind
// Basic auth with the test keys: GET /api/public/v2/prompts/{name} by
// label (production by default; latest is the newest) or version, POST
// /api/public/v2/prompts (a new version, with its labels moved to it) and
// PATCH /api/public/v2/prompts/{name}/versions/{version}. Prompts are
// JSON objects as the API serves them. hook, when set, answers a request
// first (return true when it did).
type fakePrompts struct {
	mu       sync.Mutex
	versions map[string][]map[string]any // by name, version n at n-1
	reqs     []seenRequest
	hook     func(w http.ResponseWriter, r *http.Request) bool
	gets     atomic.Int32
}

// seenRequest is what the server kept of a request.
type seenRequest struct {
	Method, EscapedPath string
	Query               url.Values
	Header              http.Header
	Body                map[string]any
}

func newFakePrompts(t *testing.T) (*fakePrompts, *httptest.Server) {
	f := &fakePrompts{versions: map[string][]map[string]any{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// add stores a version of a prompt: text is a string, chat a []any of
// entries.
func (f *fakePrompts) add(name string, prompt any, labels ...string) {
	typ := "text"
	if _, ok := prompt.([]any); ok {
		typ = "chat"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.store(map[string]any{"name": name, "type": typ, "prompt": prompt, "labels": labels,
		"config": map[string]any{"model": "gpt-x", "temperature": 0.2}, "tags": []string{"support"}})
}

// store adds p as the newest version of its prompt, taking its labels
// off the older versions. f.mu is held.
func (f *fakePrompts) store(p map[string]any) map[string]any {
	name := p["name"].(string)
	vs := f.versions[name]
	p["version"] = len(vs) + 1
	labels := toStrings(p["labels"])
	for _, old := range vs {
		old["labels"] = slices.DeleteFunc(toStrings(old["labels"]), func(l string) bool { return slices.Contains(labels, l) })
	}
	p["labels"] = labels
	f.versions[name] = append(vs, p)
	return p
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case []string:
		return slices.Clone(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, s := range v {
			out = append(out, s.(string))
		}
		return out
	}
	return []string{}
}

func (f *fakePrompts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	seen := seenRequest{Method: r.Method, EscapedPath: r.URL.EscapedPath(), Query: r.URL.Query(), Header: r.Header.Clone()}
	if r.Body != nil && r.Method != http.MethodGet {
		_ = json.NewDecoder(r.Body).Decode(&seen.Body)
	}
	if r.Method == http.MethodGet {
		f.gets.Add(1)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, seen)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	if pk, sk, ok := r.BasicAuth(); !ok || pk != promptPublicKey || sk != promptSecretKey {
		http.Error(w, `{"message":"Invalid credentials. Confirm that you've configured the correct host."}`, http.StatusUnauthorized)
		return
	}
	rest, ok := strings.CutPrefix(seen.EscapedPath, promptsPath)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(rest, "/") && !strings.Contains(rest[1:], "/"):
		name, err := url.PathUnescape(rest[1:])
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if p := f.find(name, seen.Query); p != nil {
			_ = json.NewEncoder(w).Encode(p)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"LangfuseNotFoundError","message":"Prompt not found"}`))
	case r.Method == http.MethodPost && rest == "":
		_ = json.NewEncoder(w).Encode(f.store(maps.Clone(seen.Body)))
	case r.Method == http.MethodPatch:
		parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
		name, _ := url.PathUnescape(parts[0])
		v, _ := strconv.Atoi(parts[len(parts)-1])
		vs := f.versions[name]
		if len(parts) != 3 || parts[1] != "versions" || v < 1 || v > len(vs) {
			http.NotFound(w, r)
			return
		}
		labels := toStrings(seen.Body["newLabels"])
		for _, old := range vs {
			old["labels"] = slices.DeleteFunc(toStrings(old["labels"]), func(l string) bool { return slices.Contains(labels, l) })
		}
		vs[v-1]["labels"] = append(toStrings(vs[v-1]["labels"]), labels...)
		_ = json.NewEncoder(w).Encode(vs[v-1])
	default:
		http.NotFound(w, r)
	}
}

// find returns the version of name that q asks for. f.mu is held.
func (f *fakePrompts) find(name string, q url.Values) map[string]any {
	vs := f.versions[name]
	if v := q.Get("version"); v != "" {
		n, _ := strconv.Atoi(v)
		if n >= 1 && n <= len(vs) {
			return vs[n-1]
		}
		return nil
	}
	label := q.Get("label")
	if label == "" {
		label = "production"
	}
	if label == "latest" && len(vs) > 0 {
		return vs[len(vs)-1]
	}
	for _, p := range vs {
		if slices.Contains(toStrings(p["labels"]), label) {
			return p
		}
	}
	return nil
}

func (f *fakePrompts) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fakePrompts) setHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

// promptConfig is the configuration of a client of the fake server at
// base.
func promptConfig(base string) config.Config {
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = promptPublicKey, promptSecretKey, base
	cfg.ExportMode = config.ExportImmediate
	cfg.Timeout = 10 * time.Second
	return cfg
}

// promptClient returns a client of the fake server at base, not the
// default, recording into a recorder; change edits its configuration.
func promptClient(t *testing.T, base string, change func(*config.Config), opts ...langfuse.Option) (*langfuse.Client, *langfusetest.Recorder) {
	t.Helper()
	cfg := promptConfig(base)
	if change != nil {
		change(&cfg)
	}
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(append([]langfuse.Option{langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec), langfuse.AsDefault(false),
		langfuse.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c, rec
}

// newTestServer serves h on 127.0.0.1 until tb ends.
func newTestServer(tb testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}
