package config

import (
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Reasons shared by parsing and Validate, so that a value rejected in the
// environment is rejected with the same words in a hand-built Config.
const (
	reasonSampleRate = "not a number in [0, 1]"
	reasonExportMode = `not "batched" or "immediate"`
	reasonUserInfo   = "user info is not allowed (keys go in " + EnvPublicKey + " and " + EnvSecretKey + ")"
)

// redactedPassword stands in for a password shown in an error; it is what
// url.URL.Redacted writes.
const redactedPassword = "xxxxx"

// showURL returns s, quoted, as an error may show it: with the password of
// any user info replaced, so that a URL carrying credentials never puts
// them in an error message, a log line or a crash report. It redacts even
// when s does not parse, since those are the URLs that get shown.
func showURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return strconv.Quote(u.Redacted())
	}
	// The authority runs from after "//" (or from the start when the
	// scheme is missing) to the first '/', '?' or '#'. Its user info, if
	// any, ends at its last '@'.
	start := 0
	if i := strings.Index(s, "//"); i >= 0 {
		start = i + 2
	}
	end := len(s)
	if i := strings.IndexAny(s[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(s[start:end], "@")
	if at < 0 {
		return strconv.Quote(s)
	}
	at += start
	user := s[start:at]
	if i := strings.Index(user, ":"); i >= 0 {
		user = user[:i+1] + redactedPassword
	}
	return strconv.Quote(s[:start] + user + s[at:])
}

func validSampleRate(f float64) bool {
	// Written so that NaN fails.
	return f >= 0 && f <= 1
}

// checkBaseURL returns why s, with trailing slashes already removed, is
// not a usable base URL, or "" if it is.
func checkBaseURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Hostname() == "" {
		return "not an absolute http or https URL"
	}
	// The traces path is appended to the base URL as a string, so a query
	// or fragment would swallow it. url.Parse drops an empty "?" or "#",
	// hence the look at the raw text.
	if strings.ContainsAny(s, "?#") {
		return "has a query or fragment"
	}
	// Keys travel in the Authorization header; credentials in the URL
	// would be logged wherever the URL is.
	if u.User != nil {
		return reasonUserInfo
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > math.MaxUint16 {
			return "has an invalid port"
		}
	}
	return ""
}

// checkEnvironment returns why s is not an environment name Langfuse
// accepts, or "" if it is. The empty name is accepted and means the
// server's default.
func checkEnvironment(s string) string {
	if len(s) > maxEnvironmentLen {
		return "longer than " + strconv.Itoa(maxEnvironmentLen) + " characters"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return "not only a-z, 0-9, '_' and '-'"
		}
	}
	if strings.HasPrefix(s, reservedEnvironmentPrefix) {
		return `starts with the reserved prefix "langfuse"`
	}
	return ""
}
