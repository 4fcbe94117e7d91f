package lfhttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/observe-go/langfuse/config"
)

// RedirectError is an answer that redirected a request, which was not
// followed: the redirect would have sent it again without its body or
// with another method (a 301, 302 or 303 to a POST), or to another origin
// than the one configured, which would have received the credentials. Its
// text names the Location without user info or query. Nothing changes a
// RedirectError once it is returned, so it is safe for concurrent use.
type RedirectError struct {
	Status   int    // the redirect's status
	Location string // where it pointed, shown without user info or query
	Reason   string // why it was not followed
}

func (e *RedirectError) Error() string {
	if e.Location == "" {
		return fmt.Sprintf("redirected (%d) without a location: not followed", e.Status)
	}
	return fmt.Sprintf("redirected (%d) to %s: %s; not followed", e.Status, e.Location, e.Reason)
}

// maxRedirects is how many redirects a request follows, as net/http's
// default policy, when the program's client sets no policy of its own.
const maxRedirects = 10

// checkRedirect returns the redirect policy of a Client: it refuses a
// redirect that changes the request's method or drops its body, and one
// to another origin than the first request's; it then asks next, the
// policy of the program's client, or allows up to maxRedirects.
func (c *Client) checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := via[0]
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		refuse := func(reason string) error {
			return &RedirectError{Status: status, Location: c.show(req.URL), Reason: reason}
		}
		switch {
		case req.Method != first.Method || req.ContentLength != first.ContentLength:
			return refuse(fmt.Sprintf("the %s would go again as a %s without its body", first.Method, req.Method))
		case origin(req.URL) != origin(first.URL):
			return refuse("another origin than " + config.EnvBaseURL + "'s, which would receive the API keys")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= maxRedirects {
			return refuse(fmt.Sprintf("more than %d redirects", maxRedirects))
		}
		return nil
	}
}

// redirected turns an answer with a 3xx status, which net/http did not
// follow (no Location, a status it does not follow, or the program's
// policy said so), into a RedirectError, closing its body.
func (c *Client) redirected(resp *http.Response) error {
	_ = resp.Body.Close()
	e := &RedirectError{Status: resp.StatusCode, Reason: "not an answer from Langfuse"}
	if loc := resp.Header.Get("Location"); loc != "" {
		if u, err := resp.Request.URL.Parse(loc); err == nil {
			e.Location = c.show(u)
		} else {
			e.Location = "(an unreadable URL)"
		}
	}
	return e
}

// show returns u as an error may quote it: scheme, host and path, without
// user info, query or fragment, and redacted.
func (c *Client) show(u *url.URL) string {
	s := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		s += "?…"
	}
	return c.redact.Text(s, 512)
}

// origin is the scheme, host and port of u, the port made explicit.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// asRedirect finds the RedirectError that net/http wrapped in a
// *url.Error.
func asRedirect(err error) (*RedirectError, bool) {
	var re *RedirectError
	ok := errors.As(err, &re)
	return re, ok
}
