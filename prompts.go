package langfuse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/lfhttp"
	"github.com/observe-go/langfuse/internal/prompts"
	"github.com/observe-go/langfuse/prompt"
)

// Errors of the prompt calls, for errors.Is. A failed fetch of a prompt
// wraps one of ErrPromptNotFound, ErrPromptAccessDenied and
// ErrPromptUnreachable (or ErrNoKeys, or config.ErrDestination when the
// client has no server to ask); an answer of Langfuse's is an *APIError
// too.
var (
	// ErrPromptNotFound: Langfuse has no prompt of that name with the
	// label or version asked for (404).
	ErrPromptNotFound = errors.New("prompt not found")
	// ErrPromptAccessDenied: Langfuse refused the keys (401) or their
	// access to the prompt (403); check LANGFUSE_PUBLIC_KEY and
	// LANGFUSE_SECRET_KEY.
	ErrPromptAccessDenied = errors.New("access to the prompt denied (check " + config.EnvPublicKey + " and " + config.EnvSecretKey + ")")
	// ErrPromptUnreachable: no usable answer came from Langfuse in time:
	// the network failed, LANGFUSE_TIMEOUT or ctx ran out, Langfuse
	// answered 429 or 5xx until the retries ran out, redirected where no
	// request follows, or sent something that is not a prompt; also the
	// error of a client that was shut down.
	ErrPromptUnreachable = errors.New("prompt unreachable")
	// ErrInvalidPrompt: the call's arguments are refused before anything
	// is sent (a name, label, version or draft that Langfuse would
	// refuse); the error says which and why.
	ErrInvalidPrompt = errors.New("invalid prompt request")
)

// maxPrefetch is how many prompts PrefetchPrompts fetches at once.
const maxPrefetch = 8

// GetPrompt is Client.Prompt through the client bound to ctx
// (Client.Context, langfusetest.New), else the default client, with
// tracing on or off. With neither, or a client without keys, it returns
// the Fallback if one is given, else an error wrapping ErrNoKeys.
func GetPrompt(ctx context.Context, name string, opts ...prompt.Option) (*prompt.Prompt, error) {
	return clientOf(ctx).Prompt(ctx, name, opts...)
}

// Prompt returns the prompt called name (a name may hold '/' for
// folders), in the version that carries prompt.Label (production by
// default; "latest" is the newest) or the version of prompt.Version,
// from GET /api/public/v2/prompts/{name} of Langfuse's public API, which
// resolves prompt composition.
//
// Prompts are cached per name and label or version. A fresh one is
// served from memory, without allocating. Once its time to live has
// passed (prompt.CacheTTL, else LANGFUSE_PROMPT_CACHE_DEFAULT_TTL_SECONDS,
// else 60 s; 0 fetches on every call) it is still served at once while
// one background request refreshes it; a failed refresh keeps it and is
// logged, rate-limited. The first call for a prompt waits for the fetch,
// which every caller of the same prompt shares, bounded by
// LANGFUSE_TIMEOUT and ctx, and retried on 429 (after its Retry-After),
// 5xx and network errors. The cache holds at most 1024 prompts; the least
// recently used makes room.
//
// When no version was ever fetched and fetching fails, Prompt returns the
// prompt of prompt.Fallback, marked IsFallback (observe.FromPrompt never
// links it), and logs why, rate-limited; without a fallback it returns
// the error, which wraps ErrPromptNotFound, ErrPromptAccessDenied,
// ErrPromptUnreachable, ErrNoKeys or config.ErrDestination. An empty name
// or a negative version is an error wrapping ErrInvalidPrompt, fallback
// or not. With tracing disabled prompts load all the same.
//
// The prompt returned is shared with every caller of the same prompt:
// read it, do not change it. Prompt is safe for concurrent use.
func (c *Client) Prompt(ctx context.Context, name string, opts ...prompt.Option) (*prompt.Prompt, error) {
	s := prompt.Resolve(opts...)
	if name == "" {
		return nil, fmt.Errorf("langfuse: %w: a prompt name is required", ErrInvalidPrompt)
	}
	if s.Version < 0 {
		return nil, fmt.Errorf("langfuse: %w: prompt %q: version %d is not a version (1, 2, ...)", ErrInvalidPrompt, name, s.Version)
	}
	k := prompts.Key{Name: name, Label: s.Label, Version: s.Version}
	if c == nil || c.prompts == nil {
		_, err := c.api()
		return c.promptFallback(k, s, &promptError{what: describe(k), err: err})
	}
	ttl := c.cfg.PromptCacheTTL
	if s.HasCacheTTL {
		ttl = s.CacheTTL
	}
	p, err := c.prompts.Get(ctx, k, ttl)
	if err == nil {
		return p, nil
	}
	return c.promptAfterError(ctx, k, s, ttl, err)
}

// promptAfterError is the slow path of Prompt once the cache returned
// err.
func (c *Client) promptAfterError(ctx context.Context, k prompts.Key, s prompt.Settings, ttl time.Duration, err error) (*prompt.Prompt, error) {
	// The callers of a prompt share its first fetch, made under the ctx
	// of the first of them: when that ctx ends, the others ask again
	// under their own.
	for range 3 {
		if !errors.Is(err, errFetcherGone) || ctx.Err() != nil {
			break
		}
		var p *prompt.Prompt
		if p, err = c.prompts.Get(ctx, k, ttl); err == nil {
			return p, nil
		}
	}
	switch {
	case errors.Is(err, prompts.ErrClosed):
		err = &promptError{what: describe(k), kind: ErrPromptUnreachable, err: errors.New("the client is shut down")}
	case ctx.Err() != nil && !errors.As(err, new(*promptError)):
		// This caller's ctx ended while it waited for another's fetch.
		err = &promptError{what: describe(k), kind: ErrPromptUnreachable, err: err}
	}
	// With caching off each call fetches; the last version fetched
	// stands in for one that failed, as a stale one does.
	if known, ok := c.prompts.Known(k); ok {
		c.warnState().Warn("a prompt could not be fetched; the last version fetched is served",
			"prompt", k.Name, "version", known.Version, "error", err.Error())
		return known, nil
	}
	return c.promptFallback(k, s, err)
}

// promptFallback returns the fallback of s, named and typed, or err
// when there is none.
func (c *Client) promptFallback(k prompts.Key, s prompt.Settings, err error) (*prompt.Prompt, error) {
	if s.Fallback == nil {
		return nil, err
	}
	fb := *s.Fallback
	if fb.Name == "" {
		fb.Name = k.Name
	}
	if fb.Type == "" {
		fb.Type = prompt.TypeText
		if len(fb.Messages) > 0 {
			fb.Type = prompt.TypeChat
		}
	}
	c.warnState().Warn("a prompt could not be fetched; its fallback is served", "prompt", k.Name, "error", err.Error())
	return &fb, nil
}

// warnState is the state whose rate-limited logger warns for c; nil,
// the default client's, when c is nil.
func (c *Client) warnState() *global.State {
	if c == nil {
		return nil
	}
	return c.state
}

// PrefetchPrompts fetches the version labelled production of each named
// prompt into the cache, a few at a time, so that the first calls of a
// service after start-up are served from memory; call it before the
// service takes traffic. It returns when all are fetched or have failed,
// with the failures joined (errors.Is finds the sentinels of Prompt).
// Prompts already cached are not fetched again.
func (c *Client) PrefetchPrompts(ctx context.Context, names ...string) error {
	errs := make([]error, len(names))
	sem := make(chan struct{}, maxPrefetch)
	var wg sync.WaitGroup
	for i, name := range names {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, errs[i] = c.Prompt(ctx, name)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// CreatePrompt adds d to Langfuse as a new version of the prompt d.Name
// (POST /api/public/v2/prompts), creating the prompt with its first
// version, and returns the version as Langfuse stored it. d.Labels go to
// the new version; label it production to have Prompt serve it by
// default. The client's cached versions of d.Name are dropped, so its
// next Prompt call asks Langfuse.
//
// A draft Langfuse would refuse is an error wrapping ErrInvalidPrompt
// that says why, before anything is sent: a name that is empty, "new",
// holds '|' or an HTML tag, starts or ends with '/' or holds "//"; a
// label that is not 1 to 36 of a-z, 0-9, '_', '-' and '.', or is
// "latest"; an empty text, a chat prompt without messages, a message
// without a role, a placeholder whose name is not a letter then letters,
// digits and '_'; a Type that does not match Text or Messages; a Config
// that does not encode as JSON. The request is made again only after a
// 429, since a repeated POST could create two versions. Errors of
// Langfuse's answers are as Prompt's.
func (c *Client) CreatePrompt(ctx context.Context, d prompt.Draft) (*prompt.Prompt, error) {
	body, err := draftBody(d)
	if err != nil {
		return nil, err
	}
	a, err := c.api()
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("%q (new version)", d.Name)
	var w wirePrompt
	if err := a.call(ctx, "POST "+lfhttp.PromptsPath, http.MethodPost, lfhttp.PromptsPath, nil, body, &w); err != nil {
		return nil, classifyPromptError(what, err)
	}
	if c.prompts != nil {
		c.prompts.Forget(d.Name)
	}
	p, err := w.prompt()
	if err != nil {
		return nil, &promptError{what: what, kind: ErrPromptUnreachable, err: err}
	}
	return p, nil
}

// SetPromptLabels gives version version of the prompt name the labels
// (PATCH /api/public/v2/prompts/{name}/versions/{version}); Langfuse
// moves each of them off the version that had it, since a label marks
// one version at a time. "latest" is Langfuse's to give and is refused,
// as are labels and names CreatePrompt refuses and a version below 1,
// with an error wrapping ErrInvalidPrompt. The client's cached versions
// of name are dropped. Errors of Langfuse's answers are as Prompt's; a
// 429 or 5xx is retried, since setting the same labels twice changes
// nothing.
func (c *Client) SetPromptLabels(ctx context.Context, name string, version int, labels ...string) error {
	if err := checkPromptName(name); err != nil {
		return err
	}
	if version < 1 {
		return fmt.Errorf("langfuse: %w: prompt %q: version %d is not a version (1, 2, ...)", ErrInvalidPrompt, name, version)
	}
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return err
		}
	}
	a, err := c.api()
	if err != nil {
		return err
	}
	if labels == nil {
		labels = []string{}
	}
	path := lfhttp.PromptsPath + "/" + url.PathEscape(name) + "/versions/" + strconv.Itoa(version)
	body := map[string]any{"newLabels": labels}
	if err := a.call(ctx, "PATCH "+lfhttp.PromptsPath+"/{name}/versions/{version}", http.MethodPatch, path, nil, body, nil); err != nil {
		return classifyPromptError(fmt.Sprintf("%q (version %d)", name, version), err)
	}
	if c.prompts != nil {
		c.prompts.Forget(name)
	}
	return nil
}

// newPromptCache returns the prompt cache of c, whose public API client
// is set.
func (c *Client) newPromptCache() *prompts.Cache {
	return prompts.New(c.fetchPrompt, c.pub.h.Timeout(), 0, func(k prompts.Key, err error) {
		if errors.Is(err, context.Canceled) {
			return // Shutdown cancelled it: nothing failed
		}
		c.state.Warn("a prompt could not be refreshed; its cached version is served until a refresh succeeds",
			"prompt", k.Name, "error", err.Error())
	})
}

// errFetcherGone marks the error of a fetch whose ctx ended: it failed
// for the caller that made it, not for the others that waited for it.
var errFetcherGone = errors.New("the caller that fetched the prompt gave up")

// fetchPrompt gets the prompt of k from Langfuse.
func (c *Client) fetchPrompt(ctx context.Context, k prompts.Key) (*prompt.Prompt, error) {
	q := url.Values{}
	if k.Version > 0 {
		q.Set("version", strconv.Itoa(k.Version))
	} else {
		q.Set("label", k.Label)
	}
	what := describe(k)
	var w wirePrompt
	err := c.pub.call(ctx, "GET "+lfhttp.PromptsPath+"/{name}", http.MethodGet, lfhttp.PromptsPath+"/"+url.PathEscape(k.Name), q, nil, &w)
	if err != nil {
		pe := classifyPromptError(what, err)
		if ctx.Err() != nil {
			pe.gone = true
		}
		return nil, pe
	}
	p, err := w.prompt()
	if err != nil {
		return nil, &promptError{what: what, kind: ErrPromptUnreachable, err: err}
	}
	return p, nil
}

// describe names the prompt of k in errors: its name, and the label or
// version asked for.
func describe(k prompts.Key) string {
	if k.Version > 0 {
		return fmt.Sprintf("%q (version %d)", k.Name, k.Version)
	}
	return fmt.Sprintf("%q (label %s)", k.Name, k.Label)
}

// promptError is the error of a prompt call: which prompt, what kind of
// failure (a sentinel, or nil), and the failure itself.
type promptError struct {
	what string // the prompt, as describe names it
	kind error  // ErrPromptNotFound, ErrPromptAccessDenied, ErrPromptUnreachable or nil
	err  error
	gone bool // the fetch's ctx ended: errFetcherGone
}

func (e *promptError) Error() string {
	msg := "langfuse: prompt " + e.what + ": "
	if e.kind != nil {
		msg += e.kind.Error() + ": "
	}
	return msg + strings.TrimPrefix(e.err.Error(), "langfuse: ")
}

// Unwrap returns the kind and the failure.
func (e *promptError) Unwrap() []error {
	errs := []error{e.err}
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.gone {
		errs = append(errs, errFetcherGone)
	}
	return errs
}

// classifyPromptError wraps err, of a call of the prompts API, with the
// sentinel of its kind.
func classifyPromptError(what string, err error) *promptError {
	pe := &promptError{what: what, err: err}
	var ae *APIError
	switch {
	case !errors.As(err, &ae):
		pe.kind = ErrPromptUnreachable // no answer, or none that could be read
	case ae.StatusCode == http.StatusNotFound:
		pe.kind = ErrPromptNotFound
	case ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden:
		pe.kind = ErrPromptAccessDenied
	case ae.StatusCode == http.StatusTooManyRequests || ae.StatusCode >= 500:
		pe.kind = ErrPromptUnreachable
	}
	return pe
}

// htmlTag is what Langfuse refuses in a prompt name as HTML.
var htmlTag = regexp.MustCompile(`<[^>]*>`)

// checkPromptName returns an error wrapping ErrInvalidPrompt when
// Langfuse would refuse name for a prompt, saying why.
func checkPromptName(name string) error {
	bad := func(reason string) error {
		return fmt.Errorf("langfuse: %w: prompt name %q: %s", ErrInvalidPrompt, name, reason)
	}
	switch {
	case name == "":
		return fmt.Errorf("langfuse: %w: a prompt name is required", ErrInvalidPrompt)
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case strings.TrimSpace(name) != name:
		return bad("starts or ends with white space")
	case name == "new":
		return bad(`"new" is reserved by Langfuse`)
	case strings.Contains(name, "|"):
		return bad("holds '|', which Langfuse keeps for prompt composition")
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/"):
		return bad("starts or ends with '/' (folders are written a/b)")
	case strings.Contains(name, "//"):
		return bad("holds \"//\", an empty folder")
	case htmlTag.MatchString(name):
		return bad("holds an HTML tag")
	}
	return nil
}

// maxLabelLen is the longest label Langfuse takes.
const maxLabelLen = 36

// checkLabel returns an error wrapping ErrInvalidPrompt when Langfuse
// would refuse l as a label to set, saying why.
func checkLabel(l string) error {
	if l == "latest" {
		return fmt.Errorf(`langfuse: %w: label "latest" is Langfuse's to give: it marks the newest version`, ErrInvalidPrompt)
	}
	ok := l != "" && len(l) <= maxLabelLen
	for i := 0; ok && i < len(l); i++ {
		b := l[i]
		ok = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '-' || b == '.'
	}
	if !ok {
		return fmt.Errorf("langfuse: %w: label %q: not 1 to %d of a-z, 0-9, '_', '-' and '.'", ErrInvalidPrompt, l, maxLabelLen)
	}
	return nil
}

// placeholderName is what Langfuse takes as the name of a placeholder.
var placeholderName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// draftBody checks d and returns the body of its POST.
func draftBody(d prompt.Draft) (map[string]any, error) {
	if err := checkPromptName(d.Name); err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("langfuse: %w: prompt %q: %s", ErrInvalidPrompt, d.Name, fmt.Sprintf(format, args...))
	}
	typ := d.Type
	if typ == "" {
		typ = prompt.TypeText
		if len(d.Messages) > 0 {
			typ = prompt.TypeChat
		}
	}
	body := map[string]any{"name": d.Name, "type": string(typ)}
	switch typ {
	case prompt.TypeText:
		if len(d.Messages) > 0 {
			return nil, bad("a text prompt with Messages; a chat prompt is Type chat")
		}
		if strings.TrimSpace(d.Text) == "" {
			return nil, bad("an empty prompt: Text is empty")
		}
		body["prompt"] = d.Text
	case prompt.TypeChat:
		if d.Text != "" {
			return nil, bad("a chat prompt with Text; its templates go in Messages")
		}
		if len(d.Messages) == 0 {
			return nil, bad("an empty prompt: no Messages")
		}
		msgs := make([]any, len(d.Messages))
		for i, m := range d.Messages {
			switch {
			case m.Placeholder != "" && (m.Role != "" || m.Content != ""):
				return nil, bad("message %d: a placeholder has no Role or Content", i)
			case m.Placeholder != "" && !placeholderName.MatchString(m.Placeholder):
				return nil, bad("message %d: placeholder %q: not a letter then letters, digits and '_'", i, m.Placeholder)
			case m.Placeholder != "":
				msgs[i] = wirePlaceholder{Type: "placeholder", Name: m.Placeholder}
			case m.Role == "":
				return nil, bad("message %d has no Role", i)
			default:
				msgs[i] = wireChatMessage{Type: "chatmessage", Role: m.Role, Content: m.Content}
			}
		}
		body["prompt"] = msgs
	default:
		return nil, bad("type %q is not %q or %q", typ, prompt.TypeText, prompt.TypeChat)
	}
	labels := []string{}
	for _, l := range d.Labels {
		if err := checkLabel(l); err != nil {
			return nil, err
		}
		labels = append(labels, l)
	}
	body["labels"] = labels
	config := json.RawMessage(`{}`)
	if d.Config != nil {
		b, err := json.Marshal(d.Config)
		if err != nil {
			return nil, bad("config: %v", err)
		}
		config = b
	}
	body["config"] = config
	if d.Tags != nil {
		body["tags"] = d.Tags
	}
	if d.CommitMessage != "" {
		body["commitMessage"] = d.CommitMessage
	}
	return body, nil
}
