package capture

import (
	"reflect"
	"strings"
	"unsafe"
)

// Struct fields, map keys, slog group members and named arguments whose
// name says they hold a credential have their values recorded as
// [Redacted]. Names are compared normalised: lower-case, with '-', '_',
// '.' and spaces left out, so apiKey, api_key, API-Key and x-api-key read
// the same.

// sensitiveNames are whole normalised names that are sensitive.
var sensitiveNames = [...]string{"auth", "token", "pwd", "jwt"}

// sensitiveKeys are endings in "key" that make a name sensitive: keys to
// something, unlike a plain "key", which names a map entry.
var sensitiveKeys = [...]string{
	"accesskey", "signingkey", "encryptionkey", "masterkey", "subscriptionkey",
	"clientkey", "sessionkey", "authkey",
}

// plainTokens are words before a final "token" that make it a token of a
// model's vocabulary (eos_token, pad_token), a count or limit (max_token)
// or a page cursor (next_token), not a credential. Any other name that
// ends in "token" is sensitive: access_token, refreshToken, id_token,
// github_token.
var plainTokens = [...]string{
	"eos", "bos", "pad", "unk", "sep", "cls", "mask", "stop", "start", "end",
	"special", "image", "audio", "video", "max", "min", "num", "next", "page",
	"continuation", "first", "last", "new", "prompt", "completion", "input",
	"output", "total", "reasoning", "cached", "thinking",
}

// sensitiveTokens are names ending in "tokens" that hold credentials, as
// opposed to the counts of a model's usage (prompt_tokens, max_tokens).
var sensitiveTokens = [...]string{"accesstokens", "refreshtokens", "apitokens", "authtokens", "sessiontokens", "idtokens"}

// redactedJSON is Redacted as a JSON string.
const redactedJSON = `"` + Redacted + `"`

// isSeparator reports whether c is left out of a normalised name.
func isSeparator(c byte) bool {
	return c == '-' || c == '_' || c == '.' || c == ' '
}

// normalize appends name to dst in lower case without separators.
func normalize(dst []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isSeparator(c):
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// normalized returns name normalised, in a for small names, and reports
// whether the default list has it.
func normalized(a *[64]byte, name string) (n string, isSensitive bool) {
	b := normalize(a[:0], name)
	n = unsafe.String(unsafe.SliceData(b), len(b))
	return n, sensitive(n)
}

// equalNormalized reports whether name, normalised, is norm, without
// normalising it into a buffer. No name equals an empty norm.
func equalNormalized(norm, name string) bool {
	j := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isSeparator(c):
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if j == len(norm) || norm[j] != c {
			return false
		}
		j++
	}
	return j == len(norm) && len(norm) > 0
}

// sensitive reports whether the normalised name n is on the default list:
// whether it holds password, passwd, passphrase, passcode, secret,
// credential, cookie, authorization, bearer, apikey, privatekey or
// privkey anywhere, is one of sensitiveNames, or ends as the rest of the
// list says.
func sensitive(n string) bool {
	for i := range len(n) {
		// A part is looked for only where its first letter is.
		rest := n[i:]
		switch n[i] {
		case 'p':
			if strings.HasPrefix(rest, "pass") {
				rest = rest[len("pass"):]
				if strings.HasPrefix(rest, "word") || strings.HasPrefix(rest, "wd") ||
					strings.HasPrefix(rest, "phrase") || strings.HasPrefix(rest, "code") {
					return true
				}
			} else if strings.HasPrefix(rest, "privatekey") || strings.HasPrefix(rest, "privkey") {
				return true
			}
		case 's':
			if strings.HasPrefix(rest, "secret") {
				return true
			}
		case 'c':
			if strings.HasPrefix(rest, "credential") || strings.HasPrefix(rest, "cookie") {
				return true
			}
		case 'a':
			if strings.HasPrefix(rest, "authorization") || strings.HasPrefix(rest, "apikey") {
				return true
			}
		case 'b':
			if strings.HasPrefix(rest, "bearer") {
				return true
			}
		}
	}
	for _, w := range sensitiveNames {
		if n == w {
			return true
		}
	}
	switch {
	case strings.HasSuffix(n, "pwd"):
		return true
	case strings.HasSuffix(n, "token"):
		before := n[:len(n)-len("token")]
		for _, w := range plainTokens {
			if strings.HasSuffix(before, w) {
				return false
			}
		}
		return true
	case strings.HasSuffix(n, "tokens"):
		for _, w := range sensitiveTokens {
			if strings.HasSuffix(n, w) {
				return true
			}
		}
	case strings.HasSuffix(n, "key"), strings.HasSuffix(n, "keys"):
		n = strings.TrimSuffix(n, "s")
		for _, w := range sensitiveKeys {
			if strings.HasSuffix(n, w) {
				return true
			}
		}
	}
	return false
}

// RedactsName reports whether a value under name, as a struct field, map
// key or argument, is recorded as Redacted under o: whether name is on the
// default list of the package doc or o.RedactNames, and not on
// o.KeepNames. It is for values that capture sees without their names,
// such as the entries of a map flattened into attributes. RedactsName is
// safe for concurrent use.
func (o Options) RedactsName(name string) bool {
	ns := names{o.RedactNames, o.KeepNames}
	return ns.redacts(name)
}

// names are the lists of Options.RedactNames and Options.KeepNames, as a
// capture in progress applies them with the default list.
type names struct {
	redact, keep []string
}

// redacts reports whether the value under name is redacted.
func (ns *names) redacts(name string) bool {
	var a [64]byte
	n, isSensitive := normalized(&a, name)
	return ns.decide(n, "", isSensitive)
}

// decide applies the lists to a name normalised as n, and as alt if it
// has another (a field's Go name), given whether the default list has it.
func (ns *names) decide(n, alt string, isSensitive bool) bool {
	for _, k := range ns.keep {
		if equalNormalized(n, k) || equalNormalized(alt, k) {
			return false
		}
	}
	if isSensitive {
		return true
	}
	for _, r := range ns.redact {
		if equalNormalized(n, r) || equalNormalized(alt, r) {
			return true
		}
	}
	return false
}

// redactsField reports whether the value of field f is redacted: by its
// tag, else by the lists, for its JSON name or its Go name.
func (ns *names) redactsField(f *field) bool {
	switch f.tag {
	case tagKeep:
		return false
	case tagRedact:
		return true
	}
	if len(ns.keep)+len(ns.redact) == 0 {
		return f.sensitive
	}
	return ns.decide(f.norm, f.goNorm, f.sensitive)
}

// allowDirect reports whether the extra names leave the direct type ti to
// go-json: whether none of them names a field in it. The default list and
// the tags made the types whose fields they name walked already.
func (ns *names) allowDirect(ti *typeInfo) bool {
	for _, r := range ns.redact {
		for _, n := range ti.size.names {
			if equalNormalized(n, r) {
				return false
			}
		}
	}
	return true
}

// fieldTag is what a field's langfuse struct tag says of it.
type fieldTag uint8

const (
	tagNone   fieldTag = iota
	tagRedact          // langfuse:"redact", or any value but keep
	tagKeep            // langfuse:"keep"
)

// tagOf reads the langfuse tag of a field. Any value but "keep" redacts:
// a misspelt tag shows as a redacted value, never as a secret kept.
func tagOf(sf reflect.StructField) fieldTag {
	switch v, ok := sf.Tag.Lookup("langfuse"); {
	case !ok:
		return tagNone
	case v == "keep":
		return tagKeep
	default:
		return tagRedact
	}
}
