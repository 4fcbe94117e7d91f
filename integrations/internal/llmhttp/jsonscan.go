package llmhttp

// A skimmer of JSON documents: it finds the members of an object and the
// elements of an array as slices of the document, without decoding or
// allocating anything, so that a stream past its budget can tell a chunk
// that ends or counts the answer from one that only carries more text.
// It checks no more than it needs to find where values end: on a
// malformed document it may report anything, but never reads out of range
// and never panics; callers decode a document whose skim they act on.

// EachMember calls f with the key, as it is written between its quotes
// (escapes not decoded), and the value of each member of the JSON object
// data, in order, until f returns false. It reports false when data is
// not an object or is malformed before f stopped.
func EachMember(data []byte, f func(key, value []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return true
	}
	for i < len(data) {
		if data[i] != '"' {
			return false
		}
		end := stringEnd(data, i)
		if end < 0 {
			return false
		}
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = skipSpace(data, i+1)
		vend := valueEnd(data, i)
		if vend < 0 {
			return false
		}
		if !f(key, data[i:vend]) {
			return true
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return true
		default:
			return false
		}
	}
	return false
}

// EachElement calls f with each element of the JSON array data, in
// order, until f returns false. It reports false when data is not an
// array or is malformed before f stopped.
func EachElement(data []byte, f func(value []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return true
	}
	for i < len(data) {
		end := valueEnd(data, i)
		if end < 0 {
			return false
		}
		if !f(data[i:end]) {
			return true
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return true
		default:
			return false
		}
	}
	return false
}

// Member returns the value that a Go JSON decoder reads into a field
// named key of the object data: that of the last member whose key is key
// in any ASCII case. unsure reports a key that the skimmer cannot match,
// written with escapes or with bytes outside ASCII, which a decoder might
// read as key: the caller decodes then.
func Member(data []byte, key string) (value []byte, ok, unsure bool) {
	EachMember(data, func(k, v []byte) bool {
		switch {
		case KeyUnsure(k):
			unsure = true
		case KeyIs(k, key):
			value, ok = v, true
		}
		return true
	})
	return value, ok, unsure
}

// KeyIs reports whether the key k, as written, is name in any ASCII case,
// as Go's JSON decoders match keys to fields.
func KeyIs(k []byte, name string) bool {
	if len(k) != len(name) {
		return false
	}
	for i := range len(k) {
		a, b := k[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// KeyUnsure reports whether the key k is written with escapes or with
// bytes outside ASCII: Go's JSON decoders decode it, and fold case beyond
// ASCII ("ſ" is "s", "K" is "k"), which KeyIs does not.
func KeyUnsure(k []byte) bool {
	for _, c := range k {
		if c == '\\' || c >= 0x80 {
			return true
		}
	}
	return false
}

// IsNull reports whether the JSON value v is absent or null.
func IsNull(v []byte) bool { return len(v) == 0 || string(v) == "null" }

// IsString reports whether the JSON value v is the string s, written
// without escapes.
func IsString(v []byte, s string) bool {
	return len(v) == len(s)+2 && v[0] == '"' && v[len(v)-1] == '"' && string(v[1:len(v)-1]) == s && !HasEscape(v)
}

// HasEscape reports whether the JSON text v holds a backslash: a key or
// string written with escapes, which the skimmer does not decode.
func HasEscape(v []byte) bool {
	for _, c := range v {
		if c == '\\' {
			return true
		}
	}
	return false
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at d[i],
// a quote, or -1 when it does not end.
func stringEnd(d []byte, i int) int {
	for j := i + 1; j < len(d); j++ {
		switch d[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the value that starts at d[i], or
// -1 when there is none.
func valueEnd(d []byte, i int) int {
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		return stringEnd(d, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '"':
				end := stringEnd(d, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	case ',', ':', '}', ']':
		return -1
	default: // a number, true, false or null
		j := i
		for j < len(d) {
			switch d[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r', ':', '"', '{', '[':
				if j == i {
					return -1
				}
				return j
			}
			j++
		}
		return j
	}
}

// Int returns the JSON number v as an int when it is a whole number that
// fits in 53 bits, as a token count is.
func Int(v []byte) (int, bool) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 15 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
