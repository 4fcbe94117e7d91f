package tracing

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/observe-go/langfuse/config"
)

// redacted replaces a credential in text that reaches an error or a log.
const redacted = "[REDACTED]"

// authValue matches the value of an Authorization header of any key pair,
// for servers and proxies that echo a request's headers.
var authValue = regexp.MustCompile(`(?i)\b(basic|bearer)(\s+)[A-Za-z0-9+/_.~-]{20,}=*`)

// redactor takes a configuration's credentials out of text that came from
// the network or from another library: the secret key and the Basic
// credentials, and any Authorization value. The zero redactor removes
// only Authorization values.
type redactor struct {
	secrets []string // longest first, so no secret is left half replaced
}

func newRedactor(cfg config.Config) redactor {
	var r redactor
	if cfg.SecretKey != "" {
		r.secrets = append(r.secrets, basicCredentials(cfg), cfg.SecretKey)
	}
	return r
}

// longest is the length of the longest credential, what a bounded read
// must go on for so that none is cut in two before it is redacted.
func (r redactor) longest() int {
	n := 0
	for _, s := range r.secrets {
		n = max(n, len(s))
	}
	return n
}

// text returns s as valid UTF-8, trimmed, without credentials, and cut to
// at most limit bytes (0: no limit). It redacts before cutting, so a cut
// never leaves the start of a credential behind.
func (r redactor) text(s string, limit int) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "?"))
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	s = authValue.ReplaceAllString(s, "$1$2"+redacted)
	if limit > 0 && len(s) > limit {
		for limit > 0 && !utf8.RuneStart(s[limit]) {
			limit--
		}
		s = s[:limit]
	}
	return s
}

// error returns err with credentials taken out of its text. The result
// does not unwrap to err, whose text still holds them, but errors.Is
// finds what err holds.
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.text(err.Error(), 0), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error is target, such as
// context.DeadlineExceeded.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
