package capture

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type compatE1 struct {
	X int
	Y int
}

type compatE2 struct {
	X int
	Z int `json:"Y"`
}

type compatConflict struct {
	compatE1
	compatE2
	X string
}

type compatInner struct{ V int }

type compatPromoted struct {
	compatInner
	*compatE1
	A int
}

type compatOmit struct {
	S   string            `json:"s,omitempty"`
	N   int               `json:"n,omitempty"`
	B   bool              `json:"b,omitempty"`
	P   *int              `json:"p,omitempty"`
	Sl  []int             `json:"sl,omitempty"`
	M   map[string]int    `json:"m,omitempty"`
	St  compatInner       `json:"st,omitempty"`
	Arr [0]int            `json:"arr,omitempty"`
	I   any               `json:"i,omitempty"`
	Str map[string]string `json:",omitempty"`
}

type compatQuoted struct {
	I  int     `json:"i,string"`
	B  bool    `json:"b,string"`
	F  float64 `json:"f,string"`
	S  string  `json:"s,string"`
	P  *int    `json:"p,string"`
	NP *int    `json:"np,string"`
	U  uint8   `json:"u,string"`
}

type compatErrInt int

func (compatErrInt) Error() string { return "not used by encoding/json" }

type compatQuotedWalked struct {
	compatQuoted
	E compatErrInt `json:"e,string"`
	A any          `json:"a"`
}

type compatPtrMarshal struct{ N int }

func (p *compatPtrMarshal) MarshalJSON() ([]byte, error) { return []byte(`"ptr"`), nil }

type compatHolder struct {
	Val  compatPtrMarshal
	Ptr  *compatPtrMarshal
	Map  map[string]compatPtrMarshal
	Time time.Time
	Raw  json.RawMessage
	Num  json.Number
	Arr  [2]compatInner
	Anon struct {
		Q string `json:"q"`
	}
	Keys map[int64]string
	UK   map[uint8]bool
}

type compatWithAny struct {
	compatE1
	A any
	M map[string]any
	L []any
}

type compatPtrText struct{ N int }

func (p *compatPtrText) MarshalText() ([]byte, error) { return []byte("text"), nil }

type compatEmbedsMarshaler struct {
	compatPtrMarshal
	Extra int
}

type compatPointers struct {
	P  *compatPtrMarshal
	PP **compatPtrMarshal
	T  compatPtrText
	PT *compatPtrText
	TT **compatPtrText
	E  compatEmbedsMarshaler
	S  []compatPtrMarshal
	A  [1]compatPtrText
	N  int
}

type compatSingle struct{ p *int }

type compatSingleExported struct{ P *int }

func stdJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return strings.TrimSuffix(buf.String(), "\n")
}

type RandomInner struct {
	A string
	B *int  `json:"b,omitempty"`
	C []int `json:"c"`
}

type RandomEmbedded struct{ E1, E2 int8 }

type RandomPointed struct{ Z uint16 }

type randomOuter struct {
	RandomEmbedded
	*RandomPointed
	S   string                 `json:"s"`
	F   float64                `json:"f,omitempty"`
	I   int64                  `json:"i,string"`
	M   map[string]RandomInner `json:"m"`
	MI  map[int32]string       `json:"mi"`
	P   *RandomInner           `json:"p"`
	L   []RandomInner          `json:"l,omitempty"`
	Arr [2]RandomInner         `json:"arr"`
	PP  *[]*RandomInner        `json:"pp"`
	U   uint8                  `json:",omitempty"`
	BB  bool                   `json:"bb,string"`
	MM  map[string][]int16     `json:"mm"`
}

// goJSONExponent matches the exponent go-json writes with a leading zero
// (1e-07) where encoding/json writes none (1e-7).
var goJSONExponent = regexp.MustCompile(`e([+-])0(\d)`)

// TestMatchesEncodingJSONRandomly compares random values of one involved
// type with encoding/json, as go-json encodes them and as the walker does.
func TestMatchesEncodingJSONRandomly(t *testing.T) {
	o := Options{MaxBytes: 1 << 30}
	normal := func(s string) string { return goJSONExponent.ReplaceAllString(s, "e${1}$2") }
	check := func(v randomOuter) bool {
		want := stdJSON(t, v)
		// encoding/json writes \b and \f where go-json writes \u0008
		// and \u000c.
		want = strings.NewReplacer(`\b`, `\u0008`, `\f`, `\u000c`).Replace(want)
		return assert.Equal(t, want, normal(JSON(v, o)), "go-json") &&
			assert.Equal(t, want, normal(walked(v, o)), "walker")
	}
	require.NoError(t, quick.Check(check, &quick.Config{MaxCount: 500, Rand: rand.New(rand.NewSource(1))}))
}

// walked encodes v as JSON does, but by the walker alone.
func walked(v any, o Options) string {
	maxBytes, maxDepth := o.limits()
	s := newState(maxBytes, maxDepth)
	defer s.release()
	s.walkOnly = true
	s.names = names{o.RedactNames, o.KeepNames}
	s.any(v)
	return s.result()
}

// TestMatchesEncodingJSON checks field selection, tags, marshalers and map
// keys against encoding/json, both for values go-json encodes and for
// values the walker encodes (behind an interface, or holding one).
func TestMatchesEncodingJSON(t *testing.T) {
	one := 1
	values := []struct {
		name string
		v    any
	}{
		{"embedded conflicts", compatConflict{compatE1{1, 2}, compatE2{3, 4}, "top"}},
		{"promoted fields, nil embedded pointer", compatPromoted{compatInner{5}, nil, 6}},
		{"promoted fields, set embedded pointer", compatPromoted{compatInner{5}, &compatE1{7, 8}, 6}},
		{"omitempty, empty", compatOmit{}},
		{"omitempty, set", compatOmit{S: "s", N: 1, B: true, P: &one, Sl: []int{1}, M: map[string]int{"a": 1}, I: 0, Str: map[string]string{"k": "v"}}},
		{"string option", compatQuoted{I: 1, B: true, F: 1.5, S: `a"b`, P: &one, U: 7}},
		{"string option, walked", compatQuotedWalked{compatQuoted{I: -1, F: 1e20, S: "\n", NP: &one}, 5, []any{}}},
		{"pointer marshalers", compatHolder{
			Map:  map[string]compatPtrMarshal{"a": {1}},
			Time: time.Date(2020, 2, 3, 4, 5, 6, 7, time.UTC),
			Raw:  json.RawMessage(`{"a" : [1, 2]}`),
			Num:  "3.25",
			Keys: map[int64]string{-5: "neg", 20: "twenty", 3: "three"},
			UK:   map[uint8]bool{2: true, 10: false},
		}},
		{"pointer marshalers through a pointer", &compatHolder{Ptr: &compatPtrMarshal{}, Raw: json.RawMessage(`null`)}},
		{"with interfaces", compatWithAny{compatE1{1, 2}, []int{3}, map[string]any{"z": 1, "a": []any{"x", true, nil}}, []any{map[string]any{}}}},
		{"pointer receivers", compatPointers{P: &compatPtrMarshal{}, PT: &compatPtrText{}, S: []compatPtrMarshal{{}}}},
		{"pointer receivers through a pointer", &compatPointers{P: &compatPtrMarshal{}, PP: ptr(&compatPtrMarshal{}), PT: &compatPtrText{}, TT: ptr(&compatPtrText{})}},
		{"double pointer", ptr(&compatPtrMarshal{})},
		{"single unexported pointer, nil", compatSingle{}},
		{"single unexported pointer, set", compatSingle{&one}},
		{"single exported pointer, nil", compatSingleExported{}},
		{"single exported pointer, set", compatSingleExported{&one}},
		{"array of single pointers", [1]compatSingleExported{}},
		{"map of structs", map[string]compatE1{"b": {1, 2}, "a": {3, 4}}},
		{"text", map[string]string{"html": "<a href=\"x\">&</a>", "unicode": "é\u2028日本"}},
	}
	for _, tt := range values {
		t.Run(tt.name, func(t *testing.T) {
			want := stdJSON(t, tt.v)
			assert.Equal(t, want, JSON(tt.v, Options{}), "as is")
			assert.Equal(t, "["+want+"]", JSON([]any{tt.v}, Options{}), "behind an interface")
			assert.Equal(t, `{"k":`+want+`}`, JSON(map[string]any{"k": tt.v}, Options{}), "in a map")
			assert.Equal(t, want, walked(tt.v, Options{}), "walked")
		})
	}
}
