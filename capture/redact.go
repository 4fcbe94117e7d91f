package capture

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Redacted replaces the value of a header or query parameter that
// usually carries a credential.
const Redacted = "[REDACTED]"

// The types that carry credentials often enough to be redacted by
// default, whatever Options say.
var (
	requestType   = reflect.TypeFor[http.Request]()
	headerType    = reflect.TypeFor[http.Header]()
	urlType       = reflect.TypeFor[url.URL]()
	logValuerType = reflect.TypeFor[slog.LogValuer]()
)

// special tells the types with a redacting encoding of their own.
type special uint8

const (
	notSpecial special = iota
	specialRequest
	specialHeader
	specialURL
)

func specialOf(t reflect.Type) special {
	switch t {
	case requestType:
		return specialRequest
	case headerType:
		return specialHeader
	case urlType:
		return specialURL
	}
	return notSpecial
}

// RedactQuery returns rawQuery, the query of a URL as it appears after
// '?', with the value of every parameter that usually carries a
// credential replaced by [Redacted]: names such as token, access_token,
// api_key, key, secret, password, sig, signature and code, in any case
// and URL-encoded or not. The rest is kept byte for byte, order and
// encoding included; both '&' and ';' separate parameters. RedactQuery
// is safe for concurrent use.
func RedactQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	var b []byte // nil until something is redacted
	start := 0
	for i := 0; i <= len(rawQuery); i++ {
		if i < len(rawQuery) && rawQuery[i] != '&' && rawQuery[i] != ';' {
			continue
		}
		part := rawQuery[start:i]
		if name, value, ok := strings.Cut(part, "="); ok && value != "" && sensitiveParam(name) {
			if b == nil {
				b = make([]byte, 0, len(rawQuery)+len(Redacted))
				b = append(b, rawQuery[:start]...)
			}
			b = append(append(append(b, name...), '='), Redacted...)
		} else if b != nil {
			b = append(b, part...)
		}
		if b != nil && i < len(rawQuery) {
			b = append(b, rawQuery[i])
		}
		start = i + 1
	}
	if b == nil {
		return rawQuery
	}
	return string(b)
}

// sensitiveParam reports whether a query parameter called name usually
// carries a credential.
func sensitiveParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	name = strings.ToLower(name)
	switch name {
	case "code", "sig", "auth", "pass", "pwd", "jwt":
		return true
	}
	return strings.HasSuffix(name, "key") || strings.HasSuffix(name, "sig") ||
		containsAny(name, "token", "secret", "password", "passwd", "signature", "credential", "authorization")
}

// sensitiveHeader reports whether a header called name usually carries a
// credential: Authorization, Cookie, Set-Cookie, Proxy-Authorization and
// API-key-like headers.
func sensitiveHeader(name string) bool {
	name = strings.ToLower(name)
	return strings.HasSuffix(name, "key") ||
		containsAny(name, "auth", "cookie", "token", "secret", "api-key", "apikey", "api_key",
			"password", "signature", "credential", "session")
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// redactedURL is u as text with sensitive query values redacted and the
// password, or with noUser all user information, left out.
func redactedURL(u *url.URL, noUser bool) string {
	c := *u
	if noUser {
		c.User = nil
	}
	c.RawQuery = RedactQuery(u.RawQuery)
	if strings.Contains(u.Fragment, "=") {
		// OAuth's implicit flow returns tokens in the fragment.
		c.Fragment, c.RawFragment = RedactQuery(u.Fragment), ""
	}
	return c.Redacted()
}

// special writes a value of a type with a redacting encoding; v can be
// interfaced.
func (s *state) special(v reflect.Value, ti *typeInfo) {
	switch ti.special {
	case specialRequest:
		if v.CanAddr() {
			s.request(v.Addr().Interface().(*http.Request))
		} else {
			r := v.Interface().(http.Request)
			s.request(&r)
		}
	case specialHeader:
		s.header(v.Interface().(http.Header))
	case specialURL:
		u := v.Interface().(url.URL)
		s.text(redactedURL(&u, false), true)
	}
}

// request writes what identifies a request, never its body, with
// credentials in its URL and headers redacted.
func (s *state) request(r *http.Request) {
	if !s.open('{') {
		return
	}
	s.writeString(`"method":`)
	s.text(r.Method, true)
	if r.URL != nil {
		s.writeString(`,"url":`)
		s.text(redactedURL(r.URL, true), true)
	}
	if r.Host != "" {
		s.writeString(`,"host":`)
		s.text(r.Host, true)
	}
	if r.Pattern != "" {
		s.writeString(`,"pattern":`)
		s.text(r.Pattern, true)
	}
	if len(r.Header) > 0 {
		s.writeString(`,"header":`)
		s.header(r.Header)
	}
	s.close('}')
}

// header writes h as encoding/json does, with the values of headers that
// carry credentials replaced by Redacted.
func (s *state) header(h http.Header) {
	if h == nil {
		s.writeString("null")
		return
	}
	if !s.open('{') {
		return
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		if i > 0 {
			s.writeByte(',')
		}
		s.text(name, true)
		s.writeByte(':')
		values := h[name]
		if values == nil {
			s.writeString("null")
			continue
		}
		redact := sensitiveHeader(name)
		s.writeByte('[')
		for j, v := range values {
			if j > 0 {
				s.writeByte(',')
			}
			if redact {
				v = Redacted
			}
			s.text(v, true)
		}
		s.writeByte(']')
		if s.abort {
			return
		}
	}
	s.close('}')
}

// maxLogValues bounds a chain of LogValue methods that return another
// LogValuer, as slog bounds it.
const maxLogValues = 100

var errLogValueLoop = errors.New("LogValue returned a LogValuer too many times")

// resolve calls LogValue until it gives a value that is not a LogValuer,
// catching a panic.
func resolve(lv slog.LogValuer) (v slog.Value, err error) {
	defer catch(&err)
	for range maxLogValues {
		v = lv.LogValue()
		if v.Kind() != slog.KindLogValuer {
			return v, nil
		}
		lv = v.LogValuer()
	}
	return slog.Value{}, errLogValueLoop
}

// logValue writes what lv's LogValue gives, as a type that redacts itself
// for logs expects.
func (s *state) logValue(lv slog.LogValuer) {
	v, err := resolve(lv)
	if err != nil {
		s.problem("LogValue", err)
		return
	}
	s.slogValue(v)
}

// slogValue writes a resolved slog.Value: a group as an object, the rest
// as the value it holds.
func (s *state) slogValue(v slog.Value) {
	if s.stopped() {
		return
	}
	if s.level >= s.maxLevel {
		s.writeString(`"<max depth ` + strconv.Itoa(s.maxDepth) + `>"`)
		return
	}
	s.level++
	defer func() { s.level-- }()
	switch v.Kind() {
	case slog.KindString:
		s.text(v.String(), true)
	case slog.KindInt64:
		s.int64(v.Int64())
	case slog.KindUint64:
		s.uint64(v.Uint64())
	case slog.KindFloat64:
		s.float(v.Float64(), 64)
	case slog.KindBool:
		s.bool(v.Bool())
	case slog.KindDuration:
		s.int64(int64(v.Duration()))
	case slog.KindTime:
		s.time(v.Time())
	case slog.KindGroup:
		if s.open('{') {
			first := true
			s.attrs(v.Group(), &first)
			s.close('}')
		}
	case slog.KindLogValuer:
		s.logValue(v.LogValuer())
	default:
		s.any(v.Any())
	}
}

// attrs writes the members of a group; a group with an empty key is
// inlined, as slog's handlers do.
func (s *state) attrs(as []slog.Attr, first *bool) {
	for _, a := range as {
		if s.abort {
			return
		}
		if a.Key == "" && a.Value.Kind() == slog.KindGroup {
			if s.level >= s.maxLevel {
				continue
			}
			s.level++
			s.attrs(a.Value.Group(), first)
			s.level--
			continue
		}
		if a.Equal(slog.Attr{}) {
			continue
		}
		if s.memberKey(a.Key, *first) {
			s.slogValue(a.Value)
		}
		*first = false
	}
}
