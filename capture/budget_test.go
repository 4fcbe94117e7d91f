package capture

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigMarshaler returns out from MarshalJSON, made once, so that what a
// capture allocates is the capture's own.
type bigMarshaler struct{ out []byte }

func (m bigMarshaler) MarshalJSON() ([]byte, error) { return m.out, nil }

type bigText struct{ out []byte }

func (m bigText) MarshalText() ([]byte, error) { return m.out, nil }

// hugeValues returns values of about n bytes each in the shapes capture
// meets: documents with big strings, a long list of small structs, big
// maps, big bytes, and methods that return a lot.
func hugeValues(n int) map[string]any {
	docs := budgetDocs(n)
	small := make([]bigRecord, n/32)
	for i := range small {
		small[i] = bigRecord{ID: i, Text: "t"}
	}
	m := make(map[string]any, n/128)
	ms := make(map[string]string, n/128)
	for i := range n / 128 {
		m["key"+strconv.Itoa(i)] = i
		ms["key"+strconv.Itoa(i)] = "value"
	}
	pretty := bytes.Repeat([]byte(`{"a":   [1, 2, "three"]},  `), n/32)
	pretty = append(append([]byte{'['}, pretty...), `{}]`...)
	return map[string]any{
		"docs":              docs,
		"docs behind any":   []any{docs[:25], docs[25:]},
		"small structs":     small,
		"map[string]any":    m,
		"map[string]string": ms,
		"text bytes":        bytes.Repeat([]byte("é"), n/2),
		"binary bytes":      bytes.Repeat([]byte{0xff, 0}, n/2),
		"string":            strings.Repeat("a\n", n/2),
		"MarshalJSON":       bigMarshaler{pretty},
		"MarshalText":       bigText{bytes.Repeat([]byte("x"), n)},
	}
}

// TestCaptureAllocFollowsTheLimit checks that a capture allocates about
// what it keeps: values of megabytes under a 10 KB limit cost little more
// than 10 KB each. It runs without the race detector (make unit), under
// which sync.Pool drops what it is given at random.
func TestCaptureAllocFollowsTheLimit(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool keeps nothing reliably under the race detector")
	}
	const limit = 10_000
	o := Options{MaxBytes: limit}
	for name, v := range hugeValues(8 << 20) {
		for _, mode := range []struct {
			name string
			fn   func(any, Options) string
		}{{"String", String}, {"JSON", JSON}} {
			t.Run(name+"/"+mode.name, func(t *testing.T) {
				got := mode.fn(v, o) // the first call fills the pools
				checkOutput(t, got, o, mode.name == "JSON")
				require.True(t, truncated(got), "%.100s", got)
				const runs = 4
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for range runs {
					_ = mode.fn(v, o)
				}
				runtime.ReadMemStats(&after)
				perCall := (after.TotalAlloc - before.TotalAlloc) / runs
				t.Logf("%d bytes allocated per call", perCall)
				// Ten times the limit, at most for a map: the first
				// keys of one are sorted in room of their own.
				assert.Less(t, perCall, uint64(10*limit), "bytes allocated per call")
			})
		}
	}
}

// TestCapturedPrefixOfHugeValues checks what is kept of a value far past
// the limit and the count: the start of its full encoding, so cutting
// early changes nothing a reader sees.
func TestCapturedPrefixOfHugeValues(t *testing.T) {
	o := Options{MaxBytes: 10_000}
	for name, v := range hugeValues(512 << 10) {
		t.Run(name, func(t *testing.T) {
			got := JSON(v, o)
			kept, dropped, _, ok := splitMarker(got)
			require.True(t, ok, "%.100s", got)
			assert.Positive(t, dropped)
			full := JSON(v, Options{MaxBytes: 1 << 30})
			assert.True(t, strings.HasPrefix(full, kept), "%.200s\nis not the start of\n%.200s", kept, full)
		})
	}
}

// TestMarshalJSONLongerThanTheRoom checks the output of a MarshalJSON
// longer than the room left: compacted, cut, and counted, and still
// refused if it turns out to fit but is not JSON.
func TestMarshalJSONLongerThanTheRoom(t *testing.T) {
	o := Options{MaxBytes: 100}
	spaced := bigMarshaler{[]byte(`{ "a" : "x  y" ,` + strings.Repeat(" ", 200) + `"b" : [ 1 , 2 ] }`)}
	assert.Equal(t, `{"a":"x  y","b":[1,2]}`, JSON(spaced, o), "spaces in strings stay")
	invalid := bigMarshaler{[]byte(`{"a":` + strings.Repeat(" ", 200) + `}`)}
	assert.Equal(t, `"<error in MarshalJSON: invalid JSON>"`, JSON(invalid, o))
	long := bigMarshaler{[]byte(`["` + strings.Repeat("\\\"é", 100) + `"]`)}
	got := JSON(long, o)
	kept, dropped, more, ok := splitMarker(got)
	require.True(t, ok, got)
	assert.False(t, more)
	var full bytes.Buffer
	require.NoError(t, json.Compact(&full, long.out))
	assert.True(t, strings.HasPrefix(full.String(), kept), kept)
	assert.Equal(t, full.Len()-len(kept), dropped)
	checkOutput(t, got, o, true)
	badUTF8 := bigMarshaler{[]byte(`"` + strings.Repeat("\xff", 300) + `"`)}
	checkOutput(t, JSON(badUTF8, o), o, true)
}

// TestBigMapsKeepTheirFirstKeys checks that a map too large to be written
// whole still shows its first keys in order, with a lower bound of what
// it left out, having kept no more entries than can be written.
func TestBigMapsKeepTheirFirstKeys(t *testing.T) {
	m := map[string]any{}
	mi := map[int]any{}
	for i := range 100_000 {
		m["k"+strconv.Itoa(100_000+i)] = i
		mi[100_000+i] = i
	}
	o := Options{MaxBytes: 1000}
	for name, v := range map[string]any{"map[string]any": m, "map[int]any": mi} {
		t.Run(name, func(t *testing.T) {
			got := JSON(v, o)
			kept, dropped, more, ok := splitMarker(got)
			require.True(t, ok, got)
			assert.True(t, more)
			full := JSON(v, Options{MaxBytes: 1 << 30})
			assert.True(t, strings.HasPrefix(full, kept), kept)
			assert.LessOrEqual(t, dropped, len(full)-len(kept), "a lower bound")
		})
	}
}

// TestPooledStateStaysNearTheLimit checks that a state going back to the
// pool keeps no buffer far larger than the limit of the call that used
// it.
func TestPooledStateStaysNearTheLimit(t *testing.T) {
	s := newState(10_000, DefaultMaxDepth)
	s.buf = make([]byte, 0, 1<<20)
	s.compact.Grow(1 << 20)
	s.reset()
	assert.Zero(t, cap(s.buf), "a buffer 100 times the limit is dropped")
	assert.Zero(t, s.compact.Cap())

	s = newState(10_000, DefaultMaxDepth)
	s.buf = make([]byte, 0, 16<<10)
	s.reset()
	assert.Equal(t, 16<<10, cap(s.buf), "one near the limit is kept")
}

// TestNoPoolKeepsAHugeBuffer checks, through the heap, that capturing
// huge values leaves no large buffer in any pool, go-json's included: the
// pools survive one collection, so a buffer they hold would still be on
// the heap after it.
func TestNoPoolKeepsAHugeBuffer(t *testing.T) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	func() {
		o := Options{MaxBytes: 10_000}
		docs := budgetDocs(64 << 20)
		for _, v := range []any{docs, []any{docs}, map[string]any{"docs": docs}} {
			for range 8 {
				_ = String(v, o)
			}
		}
	}()
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	assert.Less(t, grown, int64(8<<20), "heap left after capturing 64 MB values under a 10 KB limit")
}

// TestEscapedLenMatchesAppendEscaped checks the count of what is left out
// against the text it stands for, for every byte.
func TestEscapedLenMatchesAppendEscaped(t *testing.T) {
	for c := range 256 {
		s := "a" + string([]byte{byte(c)}) + "é\u2028"
		assert.Equal(t, len(appendEscaped(nil, s)), escapedLen(s), "byte %#x", c)
		assert.Equal(t, len(appendValid(nil, s)), validLen(s), "byte %#x", c)
	}
}
