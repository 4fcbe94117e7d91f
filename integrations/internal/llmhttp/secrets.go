package llmhttp

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

// credentials are the secret values a request carries. A server that
// echoes them in an error, or an error that quotes the request's URL,
// must not carry them into a span: everything recorded from a response
// passes through redact or redactBytes whole, before any of it is cut.
// The zero value holds no secret. It is read-only once made, and so safe
// for concurrent use.
type credentials struct {
	secrets [][]byte // longest first, so that a whole value goes before a part of it
}

// placeholder takes the place of a secret in what is recorded.
const placeholder = "[REDACTED]"

// Which request values are secrets. Every header value is one, whatever
// the header is called: keys travel in headers of every name (Authorization,
// x-api-key, api-key, x-goog-api-key, Ocp-Apim-Subscription-Key, and the
// gateways' Helicone-Auth, x-portkey-api-key, cf-aig-authorization, ...),
// and a list of them would miss the next gateway's. Only the headers in
// plainHeaders, which the SDKs fill with what they are and what they send,
// are known to hold none; their values are left in messages, where they
// help to read an error. Values shorter than minSecret are no keys.
var (
	plainHeaders = map[string]bool{
		"Accept": true, "Accept-Encoding": true, "Accept-Language": true,
		"Cache-Control": true, "Connection": true, "Content-Encoding": true,
		"Content-Length": true, "Content-Type": true, "Host": true,
		"Idempotency-Key": true, "User-Agent": true,
		"Anthropic-Beta": true, "Anthropic-Version": true, "Openai-Beta": true,
		"X-Goog-Api-Client": true,
		"Traceparent":       true, "Tracestate": true, "Baggage": true,
	}
	// plainHeaderPrefixes are families of headers that hold no secret:
	// the Stainless SDKs' platform headers (X-Stainless-Lang, -Os, -Arch,
	// -Runtime, -Retry-Count, -Timeout, ...).
	plainHeaderPrefixes = []string{"X-Stainless-"}
	// credentialParams are the query parameters that carry keys.
	credentialParams = []string{"key", "api_key", "api-key", "access_token", "token"}
)

// minSecret is the shortest value taken for a secret: shorter ones would
// redact ordinary words, and are no keys. It is also the shortest piece
// of a secret that trimCut takes off the end of a cut text.
const minSecret = 8

// isPlainHeader reports whether the header called name (canonical or not)
// is known to hold no secret.
func isPlainHeader(name string) bool {
	name = http.CanonicalHeaderKey(name)
	if plainHeaders[name] {
		return true
	}
	for _, p := range plainHeaderPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// credentialsOf returns the secret values of req: the value of every
// header but the plain ones, whole and in its parts (the credential after
// an auth scheme such as "Bearer", the user:password of Basic and its
// password, each cookie's value), credential query parameters as sent and
// decoded, and the URL's password.
func credentialsOf(req *http.Request) *credentials {
	var found []string
	add := func(v string) {
		if v = strings.TrimSpace(v); len(v) >= minSecret && !slices.Contains(found, v) {
			found = append(found, v)
		}
	}
	for name, values := range req.Header {
		if isPlainHeader(name) {
			continue
		}
		for _, v := range values {
			addHeaderValue(add, name, v)
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
	return newCredentials(found)
}

// addHeaderValue adds the secrets of one header value: the value, and
// the parts a server may quote on their own.
func addHeaderValue(add func(string), name, v string) {
	v = strings.TrimSpace(v)
	add(v)
	if http.CanonicalHeaderKey(name) == "Cookie" {
		for _, c := range strings.Split(v, ";") {
			if _, val, ok := strings.Cut(c, "="); ok {
				add(val)
			}
		}
		return
	}
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		return
	}
	add(cred)
	if strings.HasPrefix(scheme, "AWS4-") {
		// SigV4 (AWS4-HMAC-SHA256) and SigV4a: "Credential=AKID/date/
		// region/service/aws4_request, SignedHeaders=..., Signature=hex".
		// The signature and the credential scope are quoted on their own.
		for _, part := range strings.Split(cred, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			switch {
			case !ok:
			case k == "Signature":
				add(val)
			case k == "Credential":
				add(val)
				if id, _, ok := strings.Cut(val, "/"); ok {
					add(id)
				}
			}
		}
		return
	}
	if strings.EqualFold(scheme, "Basic") {
		if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
			add(string(dec))
			if _, pw, ok := strings.Cut(string(dec), ":"); ok {
				add(pw)
			}
		}
	}
}

// newCredentials holds values, in one block of memory.
func newCredentials(values []string) *credentials {
	c := &credentials{}
	if len(values) == 0 {
		return c
	}
	slices.SortFunc(values, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	n := 0
	for _, v := range values {
		n += len(v)
	}
	block := make([]byte, 0, n)
	c.secrets = make([][]byte, len(values))
	for i, v := range values {
		start := len(block)
		block = append(block, v...)
		c.secrets[i] = block[start:len(block):len(block)]
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
func (c *credentials) redact(s string) string {
	if c == nil {
		return s
	}
	for _, v := range c.secrets {
		if strings.Contains(s, string(v)) {
			s = strings.ReplaceAll(s, string(v), placeholder)
		}
	}
	return s
}

// redactBytes is redact for bytes: b itself when it holds no secret,
// which costs no allocation, else a copy with the secrets replaced. b is
// never written to.
func (c *credentials) redactBytes(b []byte) []byte {
	if c == nil {
		return b
	}
	copied := false
	for _, v := range c.secrets {
		if !bytes.Contains(b, v) {
			continue
		}
		if !copied {
			b, copied = bytes.Clone(b), true
		}
		b = bytes.ReplaceAll(b, v, []byte(placeholder))
	}
	return b
}

// trimCut takes off the end of b, a text that was cut after it was
// redacted, a piece of a secret that the cut left behind: the longest
// start of a secret, at least minSecret bytes long, that b ends with.
func (c *credentials) trimCut(b []byte) []byte {
	if c == nil {
		return b
	}
	longest := 0
	for _, v := range c.secrets {
		for n := min(len(v)-1, len(b)); n >= minSecret && n > longest; n-- {
			if b[len(b)-n] == v[0] && bytes.HasSuffix(b, v[:n]) {
				longest = n
				break
			}
		}
	}
	return b[:len(b)-longest]
}

// redactedError is err with the secrets of its request taken out of its
// text, for recording; the caller still gets err itself.
type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// recordable returns err as it may be recorded for a call whose
// credentials are c.
func recordable(c *credentials, err error) error {
	msg := err.Error()
	if red := c.redact(msg); red != msg {
		return redactedError{msg: red, err: err}
	}
	return err
}
