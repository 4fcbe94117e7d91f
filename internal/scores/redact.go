package scores

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxTextShown bounds the text of an answer kept in a log or an error.
const maxTextShown = 512

// authValue matches the value of an Authorization header, for servers
// and proxies that echo a request's headers.
var authValue = regexp.MustCompile(`(?i)\b(basic|bearer)(\s+)[A-Za-z0-9+/_.~-]{20,}=*`)

// redact returns s as valid UTF-8, trimmed, without any of secrets or an
// Authorization value, and cut to maxTextShown bytes. It redacts before it
// cuts, so no start of a secret is left behind.
func redact(s string, secrets []string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "?"))
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	s = authValue.ReplaceAllString(s, "$1$2[REDACTED]")
	if len(s) > maxTextShown {
		n := maxTextShown
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	return s
}
