package lfhttp

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/observe-go/langfuse/config"
)

// Redacted replaces a credential in text that reaches an error or a log.
const Redacted = "[REDACTED]"

// authValue matches the value of an Authorization header of any key pair,
// for servers and proxies that echo a request's headers.
var authValue = regexp.MustCompile(`(?i)\b(basic|bearer)(\s+)[A-Za-z0-9+/_.~-]{20,}=*`)

// Redactor takes a configuration's credentials out of text that came
// from the network or from another library: the secret key and the Basic
// credentials, and any Authorization value. The zero Redactor removes
// only Authorization values. It is safe for concurrent use.
type Redactor struct {
	secrets []string // longest first, so no secret is left half replaced
}

// NewRedactor returns the Redactor of cfg's credentials.
func NewRedactor(cfg config.Config) Redactor {
	var r Redactor
	if cfg.SecretKey != "" {
		r.secrets = append(r.secrets, BasicCredentials(cfg), cfg.SecretKey)
	}
	return r
}

// Longest is the length of the longest credential, what a bounded read
// must go on for so that none is cut in two before it is redacted.
func (r Redactor) Longest() int {
	n := 0
	for _, s := range r.secrets {
		n = max(n, len(s))
	}
	return n
}

// Text returns s as valid UTF-8, trimmed, without credentials, and cut to
// at most limit bytes (0: no limit). It redacts before cutting, so a cut
// never leaves the start of a credential behind.
func (r Redactor) Text(s string, limit int) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "?"))
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	s = authValue.ReplaceAllString(s, "$1$2"+Redacted)
	if limit > 0 && len(s) > limit {
		for limit > 0 && !utf8.RuneStart(s[limit]) {
			limit--
		}
		s = s[:limit]
	}
	return s
}

// Error returns err with credentials taken out of its text. The result
// does not unwrap to err, whose text still holds them, but errors.Is
// finds what err holds, such as context.DeadlineExceeded, and errors.As
// finds a *RedirectError in it.
func (r Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.Text(err.Error(), 0), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error is target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// As finds a *RedirectError in the original error, whose text is
// redacted already.
func (e *redactedError) As(target any) bool {
	if t, ok := target.(**RedirectError); ok {
		return errors.As(e.err, t)
	}
	return false
}
