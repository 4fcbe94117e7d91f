package llmhttp

import (
	"net/http"
	"strings"
)

// credentials are the secret values a request carries. A server that
// echoes them in an error, or an error that quotes the request's URL,
// must not carry them into a span: every message recorded from outside
// the process passes through redact.
type credentials []string

// The headers and query parameters that carry API keys and tokens on the
// wires of the integrations and of the gateways in front of them.
var (
	credentialHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key",
		"X-Goog-Api-Key", "Ocp-Apim-Subscription-Key"}
	credentialParams = []string{"key", "api_key", "api-key", "access_token", "token"}
)

// minSecret is the shortest value taken for a secret: shorter ones would
// redact ordinary words, and are no keys.
const minSecret = 8

// credentialsOf returns the secret values of req: each credential header
// whole and without its scheme ("Bearer ..."), credential query
// parameters as sent and decoded, and the URL's password.
func credentialsOf(req *http.Request) credentials {
	var c credentials
	add := func(v string) {
		if v = strings.TrimSpace(v); len(v) >= minSecret {
			c = append(c, v)
		}
	}
	for _, h := range credentialHeaders {
		for _, v := range req.Header.Values(h) {
			add(v)
			if _, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
				add(cred)
			}
		}
	}
	if u := req.URL; u != nil {
		q := u.Query()
		for _, p := range credentialParams {
			for _, v := range q[p] {
				add(v)
			}
		}
		for _, kv := range strings.Split(u.RawQuery, "&") {
			if k, v, ok := strings.Cut(kv, "="); ok && isCredentialParam(k) {
				add(v) // as it appears in the URL, percent-encoded
			}
		}
		if pw, ok := u.User.Password(); ok {
			add(pw)
		}
	}
	return c
}

func isCredentialParam(k string) bool {
	for _, p := range credentialParams {
		if strings.EqualFold(k, p) {
			return true
		}
	}
	return false
}

// redact replaces every secret of c in s with a visible placeholder.
func (c credentials) redact(s string) string {
	for _, v := range c {
		s = strings.ReplaceAll(s, v, "[REDACTED]")
	}
	return s
}

// redactedError is err with the secrets of its request taken out of its
// text, for recording; the caller still gets err itself.
type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// recordable returns err as it may be recorded for a call of req.
func recordable(req *http.Request, err error) error {
	msg := err.Error()
	if red := credentialsOf(req).redact(msg); red != msg {
		return redactedError{msg: red, err: err}
	}
	return err
}
