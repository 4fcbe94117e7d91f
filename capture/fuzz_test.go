package capture

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzStruct holds interfaces and pointers, so the walker encodes it.
type fuzzStruct struct {
	A    any               `json:"a"`
	Next *fuzzStruct       `json:"next,omitempty"`
	S    string            `json:"s"`
	F    float64           `json:"f,omitempty"`
	Q    int               `json:"q,string"`
	M    map[string]any    `json:"m,omitempty"`
	L    []any             `json:"l"`
	Z    time.Time         `json:"z,omitzero"`
	K    map[float64]int   `json:"k,omitempty"`
	T    map[string]string `json:"-"`
}

// fuzzPlain has no interfaces, so go-json encodes it.
type fuzzPlain struct {
	Name  string             `json:"name"`
	Score float64            `json:"score"`
	Tags  []string           `json:"tags,omitempty"`
	Attrs map[string]float64 `json:"attrs"`
	Raw   []byte             `json:"raw"`
}

type fuzzMarshaler struct{ out string }

func (m fuzzMarshaler) MarshalJSON() ([]byte, error) {
	if m.out == "panic" {
		panic(m.out + "\xff")
	}
	return []byte(m.out), nil
}

// fuzzBuilder turns fuzz bytes into a Go value: each byte picks what to
// build next, and containers are remembered so later bytes can point back
// into them and make cycles.
type fuzzBuilder struct {
	data       []byte
	containers []any
	budget     int
	// badMarshal is set once a MarshalJSON returns invalid JSON: go-json
	// repairs some of that (it drops what follows a NUL byte) where the
	// walker writes a placeholder, so the two may differ.
	badMarshal bool
}

func (b *fuzzBuilder) byte() byte {
	if len(b.data) == 0 {
		return 0
	}
	c := b.data[0]
	b.data = b.data[1:]
	return c
}

func (b *fuzzBuilder) bytes() []byte {
	n := min(int(b.byte()), len(b.data))
	p := b.data[:n]
	b.data = b.data[n:]
	return p
}

func (b *fuzzBuilder) uint64() uint64 {
	var a [8]byte
	copy(a[:], b.data)
	b.data = b.data[min(8, len(b.data)):]
	return binary.LittleEndian.Uint64(a[:])
}

func (b *fuzzBuilder) value(depth int) any {
	b.budget--
	if b.budget < 0 || len(b.data) == 0 {
		return nil
	}
	op := b.byte()
	if depth > 40 {
		op %= 4 // leaves only
	}
	switch op % 20 {
	case 0:
		return string(b.bytes())
	case 1:
		return int64(b.uint64())
	case 2:
		return math.Float64frombits(b.uint64())
	case 3:
		return []float64{math.NaN(), math.Inf(int(b.byte()%3) - 1), math.Copysign(0, -1), 1e300}[b.byte()%4]
	case 4:
		m := map[string]any{}
		b.containers = append(b.containers, m)
		for range b.byte() % 6 {
			m[string(b.bytes())] = b.value(depth + 1)
		}
		return m
	case 5:
		s := make([]any, b.byte()%6)
		b.containers = append(b.containers, s)
		for i := range s {
			s[i] = b.value(depth + 1)
		}
		return s
	case 6:
		n := &fuzzStruct{S: string(b.bytes()), Q: int(b.byte())}
		b.containers = append(b.containers, n)
		n.A = b.value(depth + 1)
		if b.byte()%2 == 0 {
			n.Next = n
		}
		n.L = []any{b.value(depth + 1)}
		n.M = map[string]any{string(b.bytes()): b.value(depth + 1)}
		n.K = map[float64]int{math.Float64frombits(b.uint64()): 1}
		return n
	case 7:
		if len(b.containers) == 0 {
			return nil
		}
		return b.containers[int(b.byte())%len(b.containers)]
	case 8:
		return b.bytes()
	case 9:
		return []any{make(chan int), func() {}, complex(1, -1), float32(math.Inf(1))}[b.byte()%4]
	case 10:
		return errors.New(string(b.bytes()))
	case 11:
		return time.Unix(int64(b.uint64()>>1), int64(b.byte())).UTC()
	case 12:
		out := b.bytes()
		b.badMarshal = b.badMarshal || !json.Valid(out)
		return fuzzMarshaler{out: string(out)}
	case 13:
		return json.Number(b.bytes())
	case 14:
		return fuzzPlain{
			Name:  string(b.bytes()),
			Score: math.Float64frombits(b.uint64()),
			Tags:  []string{string(b.bytes())},
			Attrs: map[string]float64{string(b.bytes()): float64(b.byte())},
			Raw:   b.bytes(),
		}
	case 15:
		m := map[any]any{}
		for range b.byte() % 4 {
			// Keys that print alike would sort in any order; these cannot.
			m[[]any{int(b.byte()), "s" + string(b.bytes()), float64(b.byte()) + 0.5, b.byte()%2 == 0}[b.byte()%4]] = b.value(depth + 1)
		}
		return m
	case 16:
		v := b.value(depth + 1)
		return &v
	case 17:
		return []string{string(b.bytes()), string(b.bytes())}
	case 18:
		return float32(math.Float64frombits(b.uint64()))
	default:
		return uint64(b.uint64())
	}
}

func FuzzString(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		// A hang would stall the fuzzer silently; crashing names the input.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("no result after 10s for %q", data)) })
		defer watchdog.Stop()
		o := Options{MaxBytes: int(binary.LittleEndian.Uint16(data)) % 5000, MaxDepth: int(data[2] % 40)}
		b := &fuzzBuilder{data: data[3:], budget: 300}
		v := b.value(0)
		maxBytes, _ := o.limits()

		text := String(v, o)
		if len(text) > maxBytes {
			t.Fatalf("String: %d bytes, limit %d", len(text), maxBytes)
		}
		if !utf8.ValidString(text) {
			t.Fatalf("String: not UTF-8: %q", text)
		}
		if s, ok := v.(string); ok && utf8.ValidString(s) && len(s) <= maxBytes && text != s {
			t.Fatalf("String changed a string that fits: %q -> %q", s, text)
		}

		js := JSON(v, o)
		if len(js) > maxBytes {
			t.Fatalf("JSON: %d bytes, limit %d", len(js), maxBytes)
		}
		if !utf8.ValidString(js) {
			t.Fatalf("JSON: not UTF-8: %q", js)
		}
		if !truncated(js) && !json.Valid([]byte(js)) {
			t.Fatalf("JSON: not JSON: %s", js)
		}
		// What go-json writes, the walker writes the same.
		if w := walked(v, o); w != js && !b.badMarshal {
			t.Fatalf("JSON and the walker differ:\n%s\n%s", js, w)
		}

		// A cut result is the start of the whole text, and its marker
		// counts exactly what is missing.
		if kept, dropped, more, ok := splitMarker(js); ok && !more {
			full := JSON(v, Options{MaxBytes: 1 << 30, MaxDepth: o.MaxDepth})
			if !strings.HasPrefix(full, kept) {
				t.Fatalf("JSON: %q is not the start of %q", kept, full)
			}
			if dropped != len(full)-len(kept) {
				t.Fatalf("JSON: marker says %d bytes left out, not %d", dropped, len(full)-len(kept))
			}
		}
	})
}

// FuzzRedactQuery checks that every sensitive parameter with a value comes
// out redacted and everything else byte for byte.
func FuzzRedactQuery(f *testing.F) {
	for _, q := range []string{"", "q=1&token=abc", "a=1;key=2", "token", "&&=x&sig=%zz", "Access_Token=t&x=y"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := RedactQuery(q)
		if RedactQuery(out) != out {
			t.Fatalf("not idempotent: %q -> %q", q, out)
		}
		split := func(s string) []string {
			return strings.FieldsFunc(s+"&x", func(r rune) bool { return r == '&' || r == ';' })
		}
		in, got := split(q), split(out)
		if len(in) != len(got) {
			t.Fatalf("%q -> %q: %d parameters, not %d", q, out, len(got), len(in))
		}
		for i := range in {
			name, value, ok := strings.Cut(in[i], "=")
			want := in[i]
			if ok && value != "" && sensitiveParam(name) {
				want = name + "=" + Redacted
			}
			if got[i] != want {
				t.Fatalf("%q -> %q: parameter %d is %q, not %q", q, out, i, got[i], want)
			}
		}
	})
}

// FuzzRequest checks that a request's credentials stay out of its capture
// whatever else it holds and however it is cut.
func FuzzRequest(f *testing.F) {
	f.Add("X-Custom", "v", "q=1&token=t", uint16(100))
	f.Add("Cookie", "", "", uint16(5))
	f.Fuzz(func(t *testing.T, name, value, query string, maxBytes uint16) {
		const secret = "zzSECRETzz"
		if strings.Contains(name+value+query, "SECRET") {
			return
		}
		r := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h", Path: "/p",
			User: url.UserPassword("u", secret), RawQuery: "access_token=" + secret + "&" + query}, Header: http.Header{}}
		r.Header.Set("Authorization", secret)
		r.Header[name] = []string{value}
		o := Options{MaxBytes: int(maxBytes)}
		limit, _ := o.limits()
		for _, out := range []string{String(r, o), JSON(r, o)} {
			if strings.Contains(out, secret) {
				t.Fatalf("secret in %s", out)
			}
			if len(out) > limit || !utf8.ValidString(out) {
				t.Fatalf("too long or not UTF-8: %q", out)
			}
			if !truncated(out) && !json.Valid([]byte(out)) {
				t.Fatalf("not JSON: %s", out)
			}
		}
	})
}
