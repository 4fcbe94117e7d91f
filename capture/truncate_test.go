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
