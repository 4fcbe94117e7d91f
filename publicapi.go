package langfuse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/lfhttp"
	"github.com/observe-go/langfuse/semconv"
)

// The calls of Langfuse's public REST API that the root makes (datasets
// and prompts) go through internal/lfhttp, as spans and scores do: Basic
// auth and the SDK headers, the program's *http.Client of WithHTTPClient,
// no redirect that changes the method, drops the body or leaves the
// configured origin, Retry-After and jittered backoff, credentials
// redacted from errors. Here they gain answers read up to a byte budget
// and a bound on each call, retries included, of LANGFUSE_TIMEOUT.

// ErrNoKeys is wrapped by the error of a call of Langfuse's public API
// made by a client without both API keys (LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY), or through a ctx that reaches no client.
var ErrNoKeys = errors.New("the Langfuse API needs " + config.EnvPublicKey + " and " + config.EnvSecretKey)

// ErrNotFound is wrapped by the error of a call whose dataset, item or
// prompt Langfuse does not have (404).
var ErrNotFound = errors.New("not found")

// APIError is an answer of Langfuse's public API that was not a success:
// its status, what the call was, and the start of the answer's body, with
// the client's credentials taken out. It wraps ErrNotFound for a 404.
type APIError struct {
	Op         string // the call, such as "GET /api/public/v2/datasets/{name}"
	StatusCode int
	Message    string // the start of the body, at most 512 bytes, credentials redacted
}

// Error names the call, the status and what the server said.
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

// maxExcerpt is how much of an error answer's body an APIError quotes.
const maxExcerpt = 512

// apiAttempts is how many times a call is made at most when Langfuse
// answers 429 or, for a call that may be repeated (not a POST), 5xx or
// no answer at all.
const apiAttempts = 3

// The backoff between the attempts of a call when Retry-After asks for
// nothing longer.
const (
	firstAPIRetryWait = 100 * time.Millisecond
	maxAPIRetryWait   = 2 * time.Second
)

// apiClient makes the calls of the public API of one client.
type apiClient struct {
	h *lfhttp.Client
}

// newAPIClient returns the public API client of cfg's server and keys,
// through hc when the program gave one (WithHTTPClient), or an error
// wrapping ErrNoKeys without both keys, or config.ErrDestination when
// LANGFUSE_BASE_URL names no server to send them to: a bad destination
// fails closed, and is never replaced by another.
func newAPIClient(cfg config.Config, hc *http.Client) (*apiClient, error) {
	if !cfg.HasKeys() {
		return nil, fmt.Errorf("langfuse: %w", ErrNoKeys)
	}
	h, err := lfhttp.New(cfg, lfhttp.SDK{Name: semconv.SDKName, Version: semconv.SDKVersion}, hc)
	if err != nil {
		return nil, fmt.Errorf("langfuse: %w: %w", config.ErrDestination, err)
	}
	return &apiClient{h: h}, nil
}

// api returns what the calls of c need, or why c cannot make them
// (ErrNoKeys, config.ErrDestination).
func (c *Client) api() (*apiClient, error) {
	switch {
	case c == nil:
		return nil, fmt.Errorf("langfuse: %w", ErrNoKeys)
	case c.pub != nil:
		return c.pub, nil
	case c.pubErr != nil:
		return nil, c.pubErr
	}
	return nil, fmt.Errorf("langfuse: %w", ErrNoKeys)
}

// boundClientKey is the context key under which Client.Context puts the
// client itself, for the calls of the public API made through a ctx
// bound to a client that records nothing (tracing disabled), which
// core.ClientFrom does not answer with.
type boundClientKey struct{}

// clientOf returns the client that calls through ctx use: the one bound
// to ctx (Client.Context, or the observation current in ctx), else the
// default one, whether or not they record; nil when there is none.
func clientOf(ctx context.Context) *Client {
	if st := core.ClientFrom(ctx); st != nil {
		if c, ok := st.Owner.(*Client); ok {
			return c
		}
	}
	if ctx != nil {
		if c, ok := ctx.Value(boundClientKey{}).(*Client); ok {
			return c
		}
	}
	if st := global.Load(); st != nil {
		c, _ := st.Owner.(*Client)
		return c
	}
	return nil
}

// call makes one call of the public API: method on path (escaped by the
// caller) with query and body (JSON of in, none when nil), and decodes a
// 2xx answer into out (nothing when nil). op names the call in errors.
// The call, retries included, is bounded by ctx and LANGFUSE_TIMEOUT.
func (a *apiClient) call(ctx context.Context, op, method, path string, query url.Values, in, out any) error {
	var body *lfhttp.Body
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("langfuse: %s: encode request: %w", op, err)
		}
		if len(data) > lfhttp.MaxRequestBytes {
			return fmt.Errorf("langfuse: %s: a request of %d bytes, over the %d Langfuse takes", op, len(data), lfhttp.MaxRequestBytes)
		}
		body = lfhttp.NewBody(data, nil)
		defer body.Release()
	}
	target := a.h.URL(path)
	if q := query.Encode(); q != "" {
		target += "?" + q
	}
	header := a.h.Header()
	header.Set("Accept", "application/json")
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	ctx, cancel := context.WithTimeout(ctx, a.h.Timeout())
	defer cancel()
	r := lfhttp.NewRetrier(firstAPIRetryWait, maxAPIRetryWait, a.h.Timeout())
	for attempt := 1; ; attempt++ {
		retryAfter, retry, err := a.attempt(ctx, op, method, target, header, body, out)
		if err == nil {
			return nil
		}
		if !retry || attempt >= apiAttempts {
			return err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < retryAfter {
			return err // the wait asked for would outlast ctx
		}
		if werr := r.Wait(ctx, retryAfter); werr != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%w (then %w)", err, context.Cause(ctx))
			}
			return err
		}
	}
}

// attempt makes one request. It returns the error of a failure, whether
// another attempt may mend it, and how long the answer asked to wait
// before it.
func (a *apiClient) attempt(ctx context.Context, op, method, target string, header http.Header, body *lfhttp.Body, out any) (retryAfter time.Duration, retry bool, err error) {
	repeatable := method != http.MethodPost // a POST made twice may create twice
	req, err := a.h.NewRequest(ctx, method, target, header, body)
	if err != nil {
		return 0, false, fmt.Errorf("langfuse: %s: %w", op, err)
	}
	resp, err := a.h.Do(req)
	if err != nil {
		var re *lfhttp.RedirectError
		retry := repeatable && ctx.Err() == nil && !errors.As(err, &re) && !lfhttp.Permanent(err)
		return 0, retry, fmt.Errorf("langfuse: %s: %w", op, a.h.Redactor().Error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Enough to quote, and to see whole any credential that starts
		// within it, so that redaction leaves none of it behind.
		data, _ := io.ReadAll(io.LimitReader(resp.Body, int64(2*maxExcerpt+a.h.Redactor().Longest())))
		status := resp.StatusCode
		retry := status == http.StatusTooManyRequests || (repeatable && status >= 500)
		return lfhttp.RetryAfter(resp.Header.Get("Retry-After"), time.Now()), retry,
			fmt.Errorf("langfuse: %w", &APIError{Op: op, StatusCode: status, Message: a.excerpt(data)})
	}
	if resp.ContentLength > maxAnswerBytes {
		return 0, false, fmt.Errorf("langfuse: %s: answer over %d bytes, not read", op, maxAnswerBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return 0, repeatable && ctx.Err() == nil, fmt.Errorf("langfuse: %s: read answer: %w", op, a.h.Redactor().Error(err))
	}
	if int64(len(data)) > maxAnswerBytes {
		return 0, false, fmt.Errorf("langfuse: %s: answer over %d bytes, not read", op, maxAnswerBytes)
	}
	if out == nil {
		return 0, false, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return 0, false, fmt.Errorf("langfuse: %s: the answer is not the JSON expected: %s", op, a.h.Redactor().Text(err.Error(), maxExcerpt))
	}
	return 0, false, nil
}

// excerpt is the start of an error answer's body as one line of text,
// credentials redacted, cut to maxExcerpt bytes with a mark when cut.
func (a *apiClient) excerpt(data []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, string(data))
	// Redacted before it is cut, so that no part of a secret is left.
	full := a.h.Redactor().Text(s, 0)
	if len(full) <= maxExcerpt {
		return full
	}
	return a.h.Redactor().Text(full, maxExcerpt) + "…"
}
