package capture

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var markerRE = regexp.MustCompile(`\.\.\.<truncated (more than )?(\d+) bytes>$`)

// splitMarker returns what precedes the truncation marker in out and the
// number in it; ok is false if out has no marker.
func splitMarker(out string) (kept string, dropped int, more, ok bool) {
	m := markerRE.FindStringSubmatchIndex(out)
	if m == nil {
		return out, 0, false, false
	}
	dropped, _ = strconv.Atoi(out[m[4]:m[5]])
	return out[:m[0]], dropped, m[2] >= 0, true
}

type bigRecord struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

func TestTruncation(t *testing.T) {
	// Enough to pass the limits below, few enough to be counted whole.
	records := make([]bigRecord, 100)
	anyRecords := make([]any, 100)
	for i := range records {
		records[i] = bigRecord{ID: i, Text: "record text \"quoted\" ünïcödé " + strconv.Itoa(i)}
		anyRecords[i] = map[string]any{"id": i, "text": records[i].Text}
	}
	binary := make([]byte, 5000)
	for i := range binary {
		binary[i] = byte(i*7 + 128)
	}
	tests := []struct {
		name     string
		v        any
		maxBytes int
	}{
		{"ascii string", strings.Repeat("abcdefghij", 100), 100},
		{"multibyte string", strings.Repeat("日本語🙂", 100), 101},
		{"multibyte string, other cut", strings.Repeat("日本語🙂", 100), 102},
		{"string needing escapes", strings.Repeat("a\"\n\x01", 100), 77},
		{"invalid UTF-8 string", strings.Repeat("ok\xff\xfe", 100), 90},
		{"plain records (go-json)", records, 1000},
		{"records behind interfaces (walker)", anyRecords, 1000},
		{"binary bytes", binary, 300},
		{"text bytes", []byte(strings.Repeat("é", 3000)), 300},
		{"long error", errString(strings.Repeat("bad ", 1000)), 64},
		{"exactly at the limit", strings.Repeat("x", 98), 100},
		{"one over the limit", strings.Repeat("x", 99), 100},
	}
	for _, tt := range tests {
		for _, mode := range []struct {
			name string
			fn   func(any, Options) string
		}{{"String", String}, {"JSON", JSON}} {
			t.Run(tt.name+"/"+mode.name, func(t *testing.T) {
				full := mode.fn(tt.v, Options{MaxBytes: 1 << 30})
				o := Options{MaxBytes: tt.maxBytes}
				got := mode.fn(tt.v, o)
				checkOutput(t, got, o, mode.name == "JSON")
				if len(full) <= tt.maxBytes {
					assert.Equal(t, full, got)
					return
				}
				kept, dropped, more, ok := splitMarker(got)
				require.True(t, ok, "no marker in %q", got)
				assert.False(t, more)
				assert.True(t, strings.HasPrefix(full, kept), "%q is not a prefix of the full text", kept)
				assert.Equal(t, len(full)-len(kept), dropped, "marker miscounts")
				assert.Greater(t, len(kept)+utf8.UTFMax, tt.maxBytes-len(got[len(kept):]), "cut more than a rune early")
			})
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestTinyLimit(t *testing.T) {
	for _, n := range []int{1, 2, 5, 10, 20, 23, 24, 25} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			for _, v := range []any{strings.Repeat("日本", 50), map[string]any{"k": strings.Repeat("v", 100)}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}} {
				o := Options{MaxBytes: n}
				out := JSON(v, o)
				checkOutput(t, out, o, true)
				text := String(v, o)
				checkOutput(t, text, o, false)
			}
		})
	}
}

// TestHugeValues checks that values far past the limit are cut without
// being walked to the end: what is left out is counted exactly within a
// budget that follows the limit, and past it the marker says "more than"
// a lower bound.
func TestHugeValues(t *testing.T) {
	mb := strings.Repeat("x", 1<<20)
	manyStrings := make([]any, 16) // 16 MB of text, one string shared
	for i := range manyStrings {
		manyStrings[i] = mb
	}
	manyValues := make([]any, 1<<18)
	for i := range manyValues {
		manyValues[i] = i
	}
	countable := make([]any, 10)
	for i := range countable {
		countable[i] = strings.Repeat("y", 200<<10)
	}
	tests := []struct {
		name     string
		v        any
		wantMore bool
	}{
		{"string past the count budget", strings.Repeat(mb, 4), true},
		{"huge string", strings.Repeat(mb, 64), true},
		{"many large strings", manyStrings, true},
		{"many small values", manyValues, true},
		{"a few large strings", countable, true},
		{"string within the count budget", strings.Repeat("z", minCountBytes*3/4), false},
		{"a few strings within the count budget", []any{strings.Repeat("y", minCountBytes/3), strings.Repeat("y", minCountBytes/3)}, false},
		{"many small values within the count budget", manyValues[:minCountNodes], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{MaxBytes: 1000}
			got := JSON(tt.v, o)
			checkOutput(t, got, o, true)
			_, dropped, more, ok := splitMarker(got)
			require.True(t, ok)
			assert.Equal(t, tt.wantMore, more)
			assert.Positive(t, dropped)
			full := JSON(tt.v, Options{MaxBytes: 1 << 30})
			kept, _, _, _ := splitMarker(got)
			if tt.wantMore {
				assert.LessOrEqual(t, dropped, len(full)-len(kept), "not a lower bound")
			} else {
				assert.Equal(t, len(full)-len(kept), dropped)
			}
		})
	}
}

// addrMarshaler has MarshalJSON on its pointer only, which the walker
// calls when the value is addressable.
type addrMarshaler struct{ out string }

func (m *addrMarshaler) MarshalJSON() ([]byte, error) { return []byte(m.out), nil }

type withAddrMarshaler struct {
	A string        `json:"a"`
	M addrMarshaler `json:"m"`
}

// TestMarkerCountsInvalidMarshalJSON checks the marker's count where a
// MarshalJSON result that is not JSON meets the limit. Written whole, such
// a result is the invalid-JSON placeholder, so a cut output must keep the
// start of that and count what is left of it, not of the method's text.
func TestMarkerCountsInvalidMarshalJSON(t *testing.T) {
	invalid := bigMarshaler{[]byte("{" + strings.Repeat("x", 60))}
	tests := []struct {
		name     string
		v        any
		maxBytes int
		dropped  int // 0: only that the count is exact
	}{
		{
			// The fuzzer's input 40f392b8d95ccf02: the string fills the
			// output, and the marker counted 130 bytes for 120.
			name: "fuzz input 40f392b8d95ccf02",
			v: []any{
				"\xfc\xc3\xe5\x1a\xf5\xb4\xc4v\x88\xc3p\xb0\xaa_Y\xd8°\x1d䃟W\x86\x8b\x97\xc4\xfe\xf9\xed\x7fMTY\xa3\xc1N\xc0\xdbs\xf6\xff]3\x8b\xee\xc9n\xec\xf55\xff\xe2\x16@|\xb7{;\x90\xbc]e\x17U\x87\xd8Z\xe62b^T\x9fK\x1eaR\x03Z\a\xbe˕FR\x91\xc2E\xfccȼ>I\x9d}N\x9b\x15ݰ\x1e\xb4f\xdb\xdb\xf3\x10z\x06\x14\x14",
				bigMarshaler{[]byte("<\x8d\x12\xb3]\xbd\x96\xecZ\xeb)\x95\xd9\x1c\xdb\x1dX@>@\xe0\x9f0170")},
				nil,
			},
			maxBytes: 370,
			dropped:  120,
		},
		{name: "output already full", v: []any{strings.Repeat("a", 100), invalid}, maxBytes: 60},
		{name: "longer than the room left", v: []any{strings.Repeat("a", 20), invalid}, maxBytes: 50},
		{name: "mostly spaces, shorter than the placeholder once compacted",
			v: []any{strings.Repeat("a", 50), bigMarshaler{[]byte("{" + strings.Repeat(" ", 40))}}, maxBytes: 40},
		{name: "invalid UTF-8 in an unterminated string",
			v: []any{strings.Repeat("a", 20), bigMarshaler{[]byte(`"` + strings.Repeat("\xff", 40))}}, maxBytes: 50},
		{name: "map value", v: map[string]any{"a": strings.Repeat("a", 30), "b": invalid}, maxBytes: 50},
		{name: "struct field, by its pointer method",
			v: &withAddrMarshaler{A: strings.Repeat("a", 30), M: addrMarshaler{string(invalid.out)}}, maxBytes: 50},
		{name: "valid result", v: []any{strings.Repeat("a", 20), bigMarshaler{[]byte(`{"x": ` + strings.Repeat(" ", 40) + `"yyyyyyyyyyyyyyyyyyyy"}`)}}, maxBytes: 40},
	}
	for _, tt := range tests {
		for _, mode := range []struct {
			name string
			fn   func(any, Options) string
		}{{"String", String}, {"JSON", JSON}} {
			t.Run(tt.name+"/"+mode.name, func(t *testing.T) {
				o := Options{MaxBytes: tt.maxBytes}
				got := mode.fn(tt.v, o)
				checkOutput(t, got, o, true)
				full := mode.fn(tt.v, Options{MaxBytes: 1 << 30})
				kept, dropped, more, ok := splitMarker(got)
				require.True(t, ok, "no marker in %q", got)
				assert.False(t, more)
				assert.True(t, strings.HasPrefix(full, kept), "%q is not the start of %q", kept, full)
				assert.Equal(t, len(full)-len(kept), dropped, "marker miscounts")
				if tt.dropped != 0 {
					assert.Equal(t, tt.dropped, dropped)
				}
			})
		}
	}
}

// TestMarkerPastTheCountBudget checks a MarshalJSON result too long to be
// read within the count budget: it is not checked to be JSON, and the
// marker says its count is a lower bound.
func TestMarkerPastTheCountBudget(t *testing.T) {
	v := []any{"a", bigMarshaler{[]byte("{" + strings.Repeat("x", 2*minCountBytes))}}
	o := Options{MaxBytes: 100}
	got := JSON(v, o)
	checkOutput(t, got, o, true)
	kept, dropped, more, ok := splitMarker(got)
	require.True(t, ok, "no marker in %q", got)
	assert.True(t, more)
	assert.Equal(t, `["a",{xxx`, kept[:9])
	assert.GreaterOrEqual(t, dropped, minCountBytes)
}
