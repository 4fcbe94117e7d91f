package langfusemcp

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// secrets are values that must not reach a span: credentials of the
// request a message was made for, and the session id, which a streamable
// HTTP server takes as the caller's key to the session. Every status
// message made from outside the process (a protocol error, the text of a
// tool's error) passes through redact.
type secrets []string

// minSecret is the shortest value taken for a secret: shorter ones would
// redact ordinary words, and are no keys.
const minSecret = 8

// redacted replaces a secret in a message.
const redacted = "[REDACTED]"

func (s *secrets) add(v string) {
	if v = strings.TrimSpace(v); len(v) >= minSecret {
		*s = append(*s, v)
	}
}

// credentialHeaders are the HTTP headers whose values are credentials.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key", "X-Auth-Token", "Cookie"}

// addHeaders adds the credentials among h: each credential header whole,
// without its scheme ("Bearer ..."), and each cookie value.
func (s *secrets) addHeaders(h http.Header) {
	for _, name := range credentialHeaders {
		for _, v := range h.Values(name) {
			s.add(v)
			if name == "Cookie" {
				for part := range strings.SplitSeq(v, ";") {
					if _, val, ok := strings.Cut(part, "="); ok {
						s.add(val)
					}
				}
				continue
			}
			if _, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
				s.add(cred)
			}
		}
	}
}

// addURLs adds the password and query values of every URL quoted by a
// *url.Error in err's chain: the error of an HTTP request that failed
// quotes the endpoint, which may carry a key.
func (s *secrets) addURLs(err error) {
	for err != nil {
		var ue *url.Error
		if !errors.As(err, &ue) {
			return
		}
		if u, perr := url.Parse(ue.URL); perr == nil {
			if pw, ok := u.User.Password(); ok {
				s.add(pw)
				s.add(url.QueryEscape(pw))
			}
			for kv := range strings.SplitSeq(u.RawQuery, "&") {
				if _, v, ok := strings.Cut(kv, "="); ok {
					s.add(v) // as it appears in the URL, percent-encoded
					if dv, derr := url.QueryUnescape(v); derr == nil {
						s.add(dv)
					}
				}
			}
		}
		err = ue.Err
	}
}

// addSession adds the id of the session of req, if it has one.
func (s *secrets) addSession(req mcp.Request) {
	switch sess := req.GetSession().(type) {
	case *mcp.ClientSession:
		if sess != nil {
			s.add(sess.ID())
		}
	case *mcp.ServerSession:
		if sess != nil {
			s.add(sess.ID())
		}
	}
}

// redact returns msg with every secret, and the credential of any
// "Bearer" or "Basic" authorization in it, replaced by [REDACTED].
func (s secrets) redact(msg string) string {
	for _, v := range s {
		if strings.Contains(msg, v) {
			msg = strings.ReplaceAll(msg, v, redacted)
		}
	}
	return redactSchemes(msg)
}

// authSchemes are the authorization schemes whose credential follows the
// scheme name in a message that quotes an Authorization header.
var authSchemes = []string{"bearer ", "basic "}

// redactSchemes replaces the credential after each "Bearer " or "Basic "
// (in any case) in msg: a server that echoes the caller's Authorization
// header puts it there, and the client cannot know the value to look for.
func redactSchemes(msg string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(msg); i++ {
		for _, scheme := range authSchemes {
			if !hasPrefixFold(msg[i:], scheme) {
				continue
			}
			start := i + len(scheme)
			for start < len(msg) && msg[start] == ' ' {
				start++
			}
			end := start
			for end < len(msg) && isToken68(msg[end]) {
				end++
			}
			if end-start < minSecret || !credentialLike(msg[start:end]) {
				continue
			}
			b.WriteString(msg[last:start])
			b.WriteString(redacted)
			last, i = end, end-1
			break
		}
	}
	if last == 0 {
		return msg
	}
	b.WriteString(msg[last:])
	return b.String()
}

// hasPrefixFold reports whether s begins with prefix, a lower-case ASCII
// word, in any case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := range len(prefix) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// credentialLike reports whether tok, a token68, looks like a credential
// rather than a word ("Basic authentication failed"): it holds a digit,
// an upper-case letter or a symbol.
func credentialLike(tok string) bool {
	for i := range len(tok) {
		if c := tok[i]; c < 'a' || c > 'z' {
			return true
		}
	}
	return false
}

// isToken68 reports whether c may be part of an RFC 9110 token68, the
// form of a bearer token or of basic credentials.
func isToken68(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}
