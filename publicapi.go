package langfuse

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/semconv"
)

// The calls of Langfuse's public REST API that the root makes (datasets),
// on plain net/http until the one internal HTTP package of the library
// takes them over: Basic auth from the configuration, the SDK headers, no
// redirect that changes the method or leaves the configured origin,
// answers read up to a byte budget, 429 and 5xx retried a bounded number
// of times, and errors that never hold the secret key.

// ErrNoKeys is wrapped by the error of a call of Langfuse's public API
// made by a client without both API keys (LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY), or through a ctx that reaches no client.
var ErrNoKeys = errors.New("the Langfuse API needs " + config.EnvPublicKey + " and " + config.EnvSecretKey)

// ErrNotFound is wrapped by the error of a call whose dataset or item
// Langfuse does not have (404).
var ErrNotFound = errors.New("not found")

// APIError is an answer of Langfuse's public API that was not a success:
// its status, what the call was, and the start of the answer's body, with
// the client's credentials taken out. It wraps ErrNotFound for a 404.
type APIError struct {
	Op         string // the call, such as "GET /api/public/v2/datasets/{name}"
	StatusCode int
	Message    string // the start of the body, at most 512 bytes, credentials redacted
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap returns ErrNotFound for a 404, else nil.
func (e *APIError) Unwrap() error {
	if e.StatusCode == http.StatusNotFound {
		return ErrNotFound
	}
	return nil
}

// maxAnswerBytes bounds the body of one answer of the public API; a
// dataset page of 100 items fits many times over. A variable for tests.
var maxAnswerBytes int64 = 32 << 20

// apiAttempts is how many times a call is made at most when Langfuse
// answers 429 or, for reads, 5xx.
const apiAttempts = 3

// maxRetryWait bounds the wait a Retry-After asks for; a longer one ends
// the call with the 429.
const maxRetryWait = 30 * time.Second

// apiTransport is the transport of the public API calls, shared by the
// clients so that connections are reused across calls.
var apiTransport = sync.OnceValue(func() http.RoundTripper {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return http.DefaultTransport
})

// apiClient is what one call needs from a Client.
type apiClient struct {
	base    *url.URL
	auth    string // the Basic token
	secrets []string
	public  string
	timeout time.Duration
}

// api returns what the calls of c need, or an error wrapping ErrNoKeys,
// or one naming a base URL that is no http(s) URL with a host.
func (c *Client) api() (*apiClient, error) {
	if c == nil || !c.cfg.HasKeys() {
		return nil, fmt.Errorf("langfuse: %w", ErrNoKeys)
	}
	u, err := url.Parse(c.cfg.ServerURL())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("langfuse: %s is not an http(s) URL with a host and no user info", config.EnvBaseURL)
	}
	auth := base64.StdEncoding.EncodeToString([]byte(c.cfg.PublicKey + ":" + c.cfg.SecretKey))
	timeout := c.cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &apiClient{base: u, auth: auth, secrets: []string{c.cfg.SecretKey, auth}, public: c.cfg.PublicKey, timeout: timeout}, nil
}

// clientOf returns the client bound to ctx (Client.Context), else the
// default one; nil when there is none that records.
func clientOf(ctx context.Context) *Client {
	st := core.ClientFrom(ctx)
	if st == nil {
		return nil
	}
	c, _ := st.Owner.(*Client)
	return c
}

// call makes one call of the public API: method on path (escaped by the
// caller) with query and body (JSON of in, none when nil), and decodes a
// 2xx answer into out. op names the call in errors.
func (a *apiClient) call(ctx context.Context, op, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("langfuse: %s: encode request: %w", op, err)
		}
		body = b
	}
	target := strings.TrimSuffix(a.base.String(), "/") + path
	if q := query.Encode(); q != "" {
		target += "?" + q
	}
	for attempt := 1; ; attempt++ {
		status, wait, err := a.attempt(ctx, op, method, target, body, out)
		if err == nil {
			return nil
		}
		retry := status == http.StatusTooManyRequests || (method == http.MethodGet && status >= 500)
		if !retry || attempt >= apiAttempts || wait > maxRetryWait {
			return err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (then %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// attempt makes one request and returns the status of a failed answer
// and how long it asked to wait before a retry.
func (a *apiClient) attempt(ctx context.Context, op, method, target string, body []byte, out any) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, 0, fmt.Errorf("langfuse: %s: %w", op, err)
	}
	req.Header.Set("Authorization", "Basic "+a.auth)
	req.Header.Set("x-langfuse-sdk-name", semconv.SDKName)
	req.Header.Set("x-langfuse-sdk-version", semconv.SDKVersion)
	req.Header.Set("x-langfuse-public-key", a.public)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := &http.Client{Transport: apiTransport(), CheckRedirect: a.checkRedirect}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("langfuse: %s: %w", op, &redactedError{msg: a.redact(err.Error()), err: err})
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return resp.StatusCode, 0, fmt.Errorf("langfuse: %s: read answer: %w", op, &redactedError{msg: a.redact(err.Error()), err: err})
	}
	if int64(len(data)) > maxAnswerBytes {
		return resp.StatusCode, 0, fmt.Errorf("langfuse: %s: answer over %d bytes, not read", op, maxAnswerBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After")),
			fmt.Errorf("langfuse: %w", &APIError{Op: op, StatusCode: resp.StatusCode, Message: a.excerpt(data)})
	}
	if out == nil {
		return 0, 0, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return 0, 0, fmt.Errorf("langfuse: %s: the answer is not the JSON expected: %s", op, a.redact(err.Error()))
	}
	return 0, 0, nil
}

// checkRedirect follows a redirect only when it keeps the method, the
// body and the origin of the first request: anything else would send the
// credentials elsewhere or the call again without its body.
func (a *apiClient) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	switch {
	case len(via) >= 10:
		return errors.New("more than 10 redirects, not followed")
	case req.Method != first.Method:
		return fmt.Errorf("a redirect that turns the %s into a %s, not followed", first.Method, req.Method)
	case req.URL.Scheme != first.URL.Scheme || req.URL.Host != first.URL.Host:
		return fmt.Errorf("a redirect to another origin than %s's (%s), not followed: it would receive the API keys",
			config.EnvBaseURL, req.URL.Scheme+"://"+req.URL.Host)
	}
	return nil
}

// retryAfter is the wait a Retry-After header asks for: seconds or an
// HTTP date; one second when it is absent or unreadable.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Second
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, 1<<20)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return time.Second
}

// excerpt is the start of an error answer's body as one line of text,
// credentials redacted.
func (a *apiClient) excerpt(data []byte) string {
	const limit = 512
	// Redacted before it is cut, so that no part of a secret is left.
	s := a.redact(strings.ToValidUTF8(string(data), "?"))
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// redactedError is an error of the transport, its text with the
// client's credentials taken out, that errors.Is still sees through
// (context.Canceled, a timeout).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact takes the client's secret key and Basic token out of s.
func (a *apiClient) redact(s string) string {
	for _, secret := range a.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}
