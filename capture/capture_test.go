package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkOutput asserts the promises every result keeps.
func checkOutput(t *testing.T, out string, o Options, wantJSON bool) {
	t.Helper()
	maxBytes, _ := o.limits()
	assert.LessOrEqual(t, len(out), maxBytes, "longer than MaxBytes")
	assert.True(t, utf8.ValidString(out), "not UTF-8: %q", out)
	if wantJSON && !truncated(out) {
		assert.True(t, json.Valid([]byte(out)), "not JSON: %s", out)
	}
}

// truncated reports whether out ends with a truncation marker or, under a
// limit too small for one, is the start of one.
func truncated(out string) bool {
	const start = "...<truncated "
	return markerRE.MatchString(out) || strings.HasPrefix(out, start) || out != "" && strings.HasPrefix(start, out)
}

type role string

type level int

func (l level) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("L%d", int(l))), nil }

type money struct{ cents int }

func (m money) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{ "cents" : %d }`, m.cents)), nil
}

type ptrMarshaler struct{ N int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"via pointer"`), nil }

type errCode string

func (e errCode) Error() string { return "code " + string(e) }

type taggedStruct struct {
	Name  string    `json:"name"`
	Skip  string    `json:"-"`
	Empty string    `json:"empty,omitempty"`
	Zero  time.Time `json:"zero,omitzero"`
	Count int       `json:"count,string"`
	Text  string    `json:"text,string"`
	//lint:ignore SA5008 "-," names the field "-" in encoding/json; the test pins that capture does too
	Dash     int              `json:"-,"` //nolint:staticcheck // SA5008: as the line above says
	Level    level            `json:"level"`
	Money    money            `json:"money"`
	Labels   map[level]string `json:"labels,omitempty"`
	Err      error            `json:"err"`
	Raw      json.RawMessage  `json:"raw"`
	private  int
	Embedded                   // its fields are promoted
	Extra    map[string]string `json:"extra,omitempty"`
}

type Embedded struct {
	Inner string `json:"inner"`
}

func TestScalars(t *testing.T) {
	tests := []struct {
		name       string
		v          any
		text, json string
	}{
		{"nil", nil, "null", "null"},
		{"string", "Hello, <world> & \"you\"", "Hello, <world> & \"you\"", `"Hello, <world> & \"you\""`},
		{"empty string", "", "", `""`},
		{"named string", role("user"), "user", `"user"`},
		{"string escapes", "a\nb\t\x01\u2028", "a\nb\t\x01\u2028", `"a\nb\t\u0001\u2028"`},
		{"true", true, "true", "true"},
		{"int", -42, "-42", "-42"},
		{"int8", int8(-8), "-8", "-8"},
		{"uint64", uint64(math.MaxUint64), "18446744073709551615", "18446744073709551615"},
		{"named int", level(3), `"L3"`, `"L3"`},
		{"float", 0.1, "0.1", "0.1"},
		{"float exponent", 1e21, "1e+21", "1e+21"},
		{"float32", float32(0.1), "0.1", "0.1"},
		{"NaN", math.NaN(), `"NaN"`, `"NaN"`},
		{"+Inf", math.Inf(1), `"+Inf"`, `"+Inf"`},
		{"-Inf", float32(math.Inf(-1)), `"-Inf"`, `"-Inf"`},
		{"complex", complex(1, -2), `"(1-2i)"`, `"(1-2i)"`},
		{"json.Number", json.Number("12.5"), "12.5", "12.5"},
		{"error", errors.New("boom"), "boom", `"boom"`},
		{"wrapped error", fmt.Errorf("call: %w", errors.New("boom")), "call: boom", `"call: boom"`},
		{"string error", errCode("E1"), "code E1", `"code E1"`},
		{"time", time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC), `"2024-05-06T07:08:09.123456789Z"`, `"2024-05-06T07:08:09.123456789Z"`},
		{"time far future", time.Date(12024, 1, 1, 0, 0, 0, 0, time.UTC), `"12024-01-01T00:00:00Z"`, `"12024-01-01T00:00:00Z"`},
		{"time pointer", ptr(time.Date(2024, 1, 1, 0, 0, 0, 1, time.FixedZone("", 3600))), `"2024-01-01T00:00:00.000000001+01:00"`, `"2024-01-01T00:00:00.000000001+01:00"`},
		{"bytes text", []byte("hi there"), `"hi there"`, `"hi there"`},
		{"bytes binary", []byte{0xff, 0x00, 0xfe}, `"/wD+"`, `"/wD+"`},
		{"nil pointer", (*int)(nil), "null", "null"},
		{"nil error pointer", (*ptrError)(nil), "null", "null"},
		{"nil map", map[string]any(nil), "null", "null"},
		{"nil slice", []any(nil), "null", "null"},
		{"empty slice", []string{}, "[]", "[]"},
		{"chan", make(chan int), `"<chan int>"`, `"<chan int>"`},
		{"func", func(string) error { return nil }, `"<func(string) error>"`, `"<func(string) error>"`},
		{"unsafe.Pointer", unsafe.Pointer(new(int)), `"<unsafe.Pointer>"`, `"<unsafe.Pointer>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := String(tt.v, Options{})
			assert.Equal(t, tt.text, text)
			checkOutput(t, text, Options{}, false)
			js := JSON(tt.v, Options{})
			assert.Equal(t, tt.json, js)
			checkOutput(t, js, Options{}, true)
		})
	}
}

type ptrError struct{}

func (*ptrError) Error() string { return "ptr error" }

func ptr[T any](v T) *T { return &v }

func TestMarshalersAndTags(t *testing.T) {
	full := taggedStruct{
		Name:     "n",
		Skip:     "secret",
		Count:    7,
		Text:     `a"b`,
		Dash:     1,
		Level:    2,
		Money:    money{150},
		Labels:   map[level]string{1: "one", 10: "ten"},
		Err:      errors.New("failed"),
		Raw:      json.RawMessage(`[1, 2]`),
		private:  5,
		Embedded: Embedded{Inner: "in"},
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{
			"tags, marshalers, error field and promoted fields",
			full,
			`{"name":"n","count":"7","text":"\"a\\\"b\"","-":1,"level":"L2","money":{"cents":150},` +
				`"labels":{"L1":"one","L10":"ten"},"err":"failed","raw":[1,2],"inner":"in"}`,
		},
		{
			"omitzero keeps a set time",
			struct {
				T time.Time `json:"t,omitzero"`
			}{time.Unix(0, 0).UTC()},
			`{"t":"1970-01-01T00:00:00Z"}`,
		},
		{"pointer receiver on a value is not used", ptrMarshaler{N: 1}, `{"N":1}`},
		{"pointer receiver on a pointer", &ptrMarshaler{N: 1}, `"via pointer"`},
		{"pointer receiver on an addressable field", &struct{ P ptrMarshaler }{}, `{"P":"via pointer"}`},
		{"map with int keys sorted as text", map[int]string{10: "a", 9: "b", -1: "c"}, `{"-1":"c","10":"a","9":"b"}`},
		{"map with TextMarshaler keys", map[level]int{3: 1}, `{"L3":1}`},
		{"map with any keys", map[any]any{1.5: "x", true: 2, "s": 3, 4: 5}, `{"1.5":"x","4":5,"s":3,"true":2}`},
		{"map with struct keys", map[struct{ A, B int }]int{{1, 2}: 3}, `{"{1 2}":3}`},
		{"array of bytes stays numbers", [3]byte{1, 2, 3}, `[1,2,3]`},
		{"slice of byte slices", [][]byte{[]byte("a"), {0xff}}, `["a","/w=="]`},
		{"struct with interface fields", struct {
			A any
			B any
		}{A: []any{1, "x", nil}, B: map[string]any{"k": []byte("v")}}, `{"A":[1,"x",null],"B":{"k":"v"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JSON(tt.v, Options{})
			assert.Equal(t, tt.want, got)
			checkOutput(t, got, Options{}, true)
			assert.Equal(t, got, String(tt.v, Options{}), "String and JSON differ for a non-string")
		})
	}
}

// TestGoJSONAndWalkerAgree checks that a value reads the same whether
// go-json encodes it (a type with no interfaces) or the walker does (the
// same data behind an interface).
func TestGoJSONAndWalkerAgree(t *testing.T) {
	strs := []string{
		"plain", "quote \" backslash \\ slash /", "<html> & amp", "tab\tnl\ncr\r",
		"\x00\x01\x08\x0b\x0c\x1f\x7f", "é日本語🙂", "\u2028\u2029", "bad \xff\xfe utf8 \xe2\x82", "",
	}
	for _, s := range strs {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			direct := JSON(map[string]string{s: s}, Options{})
			walked := JSON(map[string]any{s: s}, Options{})
			assert.Equal(t, direct, walked)
			checkOutput(t, walked, Options{}, true)
		})
	}
	floats := []float64{0, math.Copysign(0, -1), 1, -1.5, 1e-7, 1e-6, 1e20, 1e21, 123456789.123, math.MaxFloat64, math.SmallestNonzeroFloat64}
	for _, f := range floats {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			assert.Equal(t, JSON([]float64{f}, Options{}), JSON([]any{f}, Options{}))
			assert.Equal(t, JSON([]float32{float32(f)}, Options{}), JSON([]any{float32(f)}, Options{}))
		})
	}
	t.Run("struct with NaN", func(t *testing.T) {
		// go-json fails on NaN; the walker takes over for the whole value.
		got := JSON(struct{ A, B float64 }{1, math.NaN()}, Options{})
		assert.Equal(t, `{"A":1,"B":"NaN"}`, got)
	})
}

func TestMask(t *testing.T) {
	const secret = "ada@example.com"
	redact := func(v any) any {
		if m, ok := v.(map[string]any); ok {
			c := make(map[string]any, len(m))
			for k, x := range m {
				c[k] = x
			}
			c["email"] = "***"
			return c
		}
		return v
	}
	tests := []struct {
		name       string
		mask       func(any) any
		v          any
		text, json string
	}{
		{"redacts", redact, map[string]any{"email": secret, "q": 1}, `{"email":"***","q":1}`, `{"email":"***","q":1}`},
		{"replaces", func(any) any { return "[hidden]" }, secret, "[hidden]", `"[hidden]"`},
		{"panics", func(any) any { panic(secret) }, secret, MaskFailed, `"` + MaskFailed + `"`},
		{"panics on a map", func(any) any { panic("no") }, map[string]any{"k": secret}, MaskFailed, `"` + MaskFailed + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Mask: tt.mask}
			text, js := String(tt.v, o), JSON(tt.v, o)
			assert.Equal(t, tt.text, text)
			assert.Equal(t, tt.json, js)
			assert.NotContains(t, text, secret)
			assert.NotContains(t, js, secret)
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	tests := []struct {
		name                 string
		o                    Options
		wantBytes, wantDepth int
	}{
		{"zero", Options{}, DefaultMaxBytes, DefaultMaxDepth},
		{"negative", Options{MaxBytes: -1, MaxDepth: -1}, DefaultMaxBytes, DefaultMaxDepth},
		{"set", Options{MaxBytes: 100, MaxDepth: 3}, 100, 3},
		{"depth capped", Options{MaxDepth: 1 << 30}, DefaultMaxBytes, maxMaxDepth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, d := tt.o.limits()
			assert.Equal(t, tt.wantBytes, b)
			assert.Equal(t, tt.wantDepth, d)
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	n := &node{Name: "root"}
	n.Next = n
	values := []any{n, map[string]any{"a": []any{1, "x"}}, payload(2 << 10), strings.Repeat("x", 300)}
	want := make([]string, len(values))
	for i, v := range values {
		want[i] = JSON(v, Options{MaxBytes: 256})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := (g + i) % len(values)
				assert.Equal(t, want[k], JSON(values[k], Options{MaxBytes: 256}))
			}
		}()
	}
	wg.Wait()
}

func TestStringDoesNotCopyValidText(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := strings.Repeat("hello ", 100)
	var v any = s // boxing a string allocates, in the caller
	allocs := testing.AllocsPerRun(100, func() { _ = String(v, Options{}) })
	require.Zero(t, allocs)
	assert.Equal(t, unsafe.StringData(s), unsafe.StringData(String(v, Options{})))
}
