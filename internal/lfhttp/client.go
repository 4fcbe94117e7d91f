package lfhttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/observe-go/langfuse/config"
)

// DefaultTimeout stands in for a configuration's Timeout left at zero.
const DefaultTimeout = 5 * time.Second

// Client makes the requests to one Langfuse server with one key pair:
// the URLs, the headers, the redirect policy and the redaction of what
// comes back. It is safe for concurrent use.
type Client struct {
	hc      *http.Client
	own     *http.Transport // the transport New made, nil for the program's
	base    string          // the server's root URL
	header  http.Header
	redact  Redactor
	timeout time.Duration
}

// New returns a Client for cfg's server (config.Config.ServerURL) and
// keys, each request bounded by cfg.Timeout. Requests go through a copy
// of hc, the program's client, whose redirect policy is wrapped in the
// Client's (see RedirectError) and whose Timeout, if shorter, wins; hc
// itself is not changed. With hc nil they go through a transport of the
// Client's own, a clone of http.DefaultTransport, so that a program that
// closes the default transport's idle connections cannot break a request
// on a connection it was about to reuse, and so that CloseIdleConnections
// closes the Client's only.
//
// New fails when the server's URL is not an absolute http or https URL
// with a host, or holds user info, which an error naming the URL would
// quote: the keys go in LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY. The
// errors do not quote the URL.
func New(cfg config.Config, sdk SDK, hc *http.Client) (*Client, error) {
	base := cfg.ServerURL()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s does not give an http(s) URL with a host", config.EnvBaseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s holds user info; the keys go in %s and %s",
			config.EnvBaseURL, config.EnvPublicKey, config.EnvSecretKey)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c := &Client{base: base, header: Header(cfg, sdk), redact: NewRedactor(cfg), timeout: timeout}
	var own http.Client
	if hc != nil {
		own = *hc
		if own.Timeout <= 0 || own.Timeout > timeout {
			own.Timeout = timeout
		}
	} else {
		own.Timeout = timeout
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			c.own = t.Clone()
			own.Transport = c.own
		}
	}
	own.CheckRedirect = c.checkRedirect(own.CheckRedirect)
	c.hc = &own
	return c, nil
}

// URL returns the URL of path (TracesPath, IngestionPath, ...) on the
// Client's server.
func (c *Client) URL(path string) string { return c.base + path }

// Timeout is what bounds each request, and the retries of one.
func (c *Client) Timeout() time.Duration { return c.timeout }

// Redactor takes the Client's credentials out of text from the network.
func (c *Client) Redactor() Redactor { return c.redact }

// Header returns a copy of the headers every request carries: the
// credentials and the SDK's name and version.
func (c *Client) Header() http.Header { return c.header.Clone() }

// NewRequest returns a request of method to url with body (nil: none),
// carrying a copy of header, which starts from Header(), or the Client's
// headers when header is nil. Each reader of body it hands net/http, for
// the request and for a retry or redirect of it, holds body's buffer
// until net/http closes it.
func (c *Client) NewRequest(ctx context.Context, method, url string, header http.Header, body *Body) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%s request: %w", method, c.redact.Error(err))
	}
	if header == nil {
		header = c.header
	}
	req.Header = header.Clone()
	if body != nil && body.Len() > 0 {
		req.ContentLength = int64(body.Len())
		req.Body = body.reader()
		req.GetBody = func() (io.ReadCloser, error) { return body.reader(), nil }
	}
	return req, nil
}

// Do sends req. An answer that redirects, followed or not, ends as a
// *RedirectError with no response when the redirect policy refuses it or
// net/http leaves it unfollowed; every other answer is returned as it
// is.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		if re, ok := asRedirect(err); ok {
			return nil, re
		}
		return nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, c.redirected(resp)
	}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the Client's own
// transport; those of a program's client are the program's to close.
func (c *Client) CloseIdleConnections() {
	if c.own != nil {
		c.own.CloseIdleConnections()
	}
}

// Permanent reports whether a request that got no answer failed for a
// reason no retry mends: a certificate the client does not trust (see
// Untrusted), or a host name that does not resolve, which is a
// misconfigured LANGFUSE_BASE_URL far more often than a server on its way
// back. A refused, reset or timed-out connection is not permanent.
func Permanent(err error) bool {
	var dns *net.DNSError
	return Untrusted(err) || (errors.As(err, &dns) && dns.IsNotFound)
}

// Untrusted reports whether err is a server's certificate that the
// client does not trust, which no retry mends: a Langfuse behind a
// private CA needs a client that trusts it.
func Untrusted(err error) bool {
	var unknown x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &verify)
}
