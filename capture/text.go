package capture

import (
	"math"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// replacement is U+FFFD, written in place of every byte that is not part of
// valid UTF-8, so the text keeps its length roughly and stays readable.
const replacement = "\uFFFD"

// plainASCII reports whether c can be copied into a JSON string as is.
func plainASCII(c byte) bool {
	return c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf
}

// appendEscaped appends s to b escaped for the inside of a JSON string, the
// way go-json does it without HTML escaping, so text written here and text
// written by go-json look the same: invalid bytes become \ufffd, U+2028 and
// U+2029 are escaped because JavaScript treats them as line breaks.
func appendEscaped(b []byte, s string) []byte {
	i := 0
	for j := 0; j < len(s); {
		c := s[j]
		if plainASCII(c) {
			j++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[i:j]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			j++
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[i:j]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[i:j]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			j += size
			continue
		}
		j += size
		i = j
	}
	return append(b, s[i:]...)
}

// escapeGrowth is how many bytes escaping adds to an ASCII byte: 1 for
// \" \\ \n \r \t, 5 for the other control characters written as \u00XX.
var escapeGrowth = [utf8.RuneSelf]uint8{
	5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 5, 5, 1, 5, 5, // \t \n \r
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	'"': 1, '\\': 1,
}

// escapedLen returns len(appendEscaped(nil, s)) without writing anything;
// it measures what a truncation leaves out.
func escapedLen(s string) int {
	n := len(s)
	for j := 0; j < len(s); {
		c := s[j]
		if c < utf8.RuneSelf {
			n += int(escapeGrowth[c])
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 5
		case r == '\u2028' || r == '\u2029':
			n += 3
		}
		j += size
	}
	return n
}

// appendValid appends s to b with every invalid byte replaced by U+FFFD.
func appendValid(b []byte, s string) []byte {
	i := 0
	for j := 0; j < len(s); {
		if s[j] < utf8.RuneSelf {
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[i:j]...)
			b = append(b, replacement...)
			i = j + 1
		}
		j += size
	}
	return append(b, s[i:]...)
}

// validLen returns len(appendValid(nil, s)).
func validLen(s string) int {
	n := len(s)
	for j := 0; j < len(s); {
		if s[j] < utf8.RuneSelf {
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if r == utf8.RuneError && size == 1 {
			n += len(replacement) - 1
		}
		j += size
	}
	return n
}

// runeCut returns the largest n <= max at which s can be cut without
// splitting a valid UTF-8 sequence. It steps back at most utf8.UTFMax-1
// bytes: a longer run of continuation bytes is invalid anyway, and each of
// its bytes is replaced on its own.
func runeCut(s string, max int) int {
	if max >= len(s) {
		return len(s)
	}
	for n := max; n > max-utf8.UTFMax; n-- {
		if n <= 0 {
			return 0
		}
		if utf8.RuneStart(s[n]) {
			return n
		}
	}
	return max
}

// floatPlaceholder returns the JSON text for values that JSON cannot hold.
func floatPlaceholder(f float64) (string, bool) {
	switch {
	case math.IsNaN(f):
		return `"NaN"`, true
	case math.IsInf(f, 1):
		return `"+Inf"`, true
	case math.IsInf(f, -1):
		return `"-Inf"`, true
	}
	return "", false
}

// appendFloat appends f the way go-json does, so a float looks the same
// whichever encoder wrote it; NaN and infinities become quoted placeholders
// instead of an error.
func appendFloat(b []byte, f float64, bits int) []byte {
	if p, ok := floatPlaceholder(f); ok {
		return append(b, p...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	return strconv.AppendFloat(b, f, format, -1, bits)
}

// formatFloat is appendFloat for a value on its own.
func formatFloat(f float64, bits int) string {
	if p, ok := floatPlaceholder(f); ok {
		return p
	}
	var a [32]byte
	return string(appendFloat(a[:0], f, bits))
}

// isValidNumber reports whether s is a JSON number literal, as
// encoding/json requires of a json.Number.
func isValidNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}
