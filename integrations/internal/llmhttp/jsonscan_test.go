package llmhttp

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

type member struct{ key, value string }

func members(data string) ([]member, bool) {
	var got []member
	ok := EachMember([]byte(data), func(k, v []byte) bool {
		got = append(got, member{string(k), string(v)})
		return true
	})
	return got, ok
}

func TestEachMember(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		data string
		want []member
		ok   bool
	}{
		{`{}`, nil, true},
		{` { } `, nil, true},
		{`{"a":1}`, []member{{"a", "1"}}, true},
		{`{"a" : "x,}\"]" , "b":[1,{"c":"]"}],"n":null,"t":true,"f":-1.5e3}`,
			[]member{{"a", `"x,}\"]"`}, {"b", `[1,{"c":"]"}]`}, {"n", "null"}, {"t", "true"}, {"f", "-1.5e3"}}, true},
		{`{"k\"ey":{}}`, []member{{`k\"ey`, "{}"}}, true},
		{`[1]`, nil, false},
		{`{"a":}`, nil, false},
		{`{"a":1`, []member{{"a", "1"}}, false},
		{`{"a" 1}`, nil, false},
		{`{"a":"unterminated}`, nil, false},
		{`{"a":[1,2}`, []member{{"a", "[1,2}"}}, false}, // brackets are counted, not matched
		{``, nil, false},
		{`{"a":1,}`, []member{{"a", "1"}}, false},
	} {
		got, ok := members(tc.data)
		assert.Equal(t, tc.want, got, tc.data)
		assert.Equal(t, tc.ok, ok, tc.data)
	}
}

func TestEachElementAndHelpers(t *testing.T) {
	t.Parallel()
	var got []string
	ok := EachElement([]byte(` [ {"index":0}, "s" ,3,[ ]] `), func(v []byte) bool {
		got = append(got, string(v))
		return true
	})
	assert.True(t, ok)
	assert.Equal(t, []string{`{"index":0}`, `"s"`, "3", "[ ]"}, got)
	assert.True(t, EachElement([]byte(`[]`), func([]byte) bool { return true }))
	assert.False(t, EachElement([]byte(`{}`), func([]byte) bool { return true }))

	v, ok, unsure := Member([]byte(`{"type":"x","delta":{"type":"y"}}`), "type")
	assert.True(t, ok)
	assert.False(t, unsure)
	assert.True(t, IsString(v, "x"))
	assert.False(t, IsString([]byte(`"x\"`), "x\\"))
	_, ok, _ = Member([]byte(`{"delta":{"type":"y"}}`), "type")
	assert.False(t, ok, "only the top level")
	v, ok, _ = Member([]byte(`{"type":"a","TYPE":"b"}`), "type")
	assert.True(t, ok)
	assert.Equal(t, `"b"`, string(v), "the last, in any case, as a decoder reads it")
	_, _, unsure = Member([]byte(`{"typ\u0065":"a"}`), "type")
	assert.True(t, unsure)
	_, _, unsure = Member([]byte(`{"\u017fype":"a"}`), "type")
	assert.True(t, unsure)
	assert.True(t, KeyIs([]byte("Finish_Reason"), "finish_reason"))
	assert.False(t, KeyIs([]byte("finish_reasons"), "finish_reason"))
	assert.True(t, KeyUnsure([]byte("ſtop")))
	assert.True(t, IsNull(nil))
	assert.True(t, IsNull([]byte("null")))
	assert.False(t, IsNull([]byte(`"null"`)))
	assert.True(t, HasEscape([]byte(`"a\nb"`)))

	for in, want := range map[string]int{"0": 0, "42": 42, "-7": -7} {
		n, ok := Int([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, n, in)
	}
	for _, in := range []string{"", "-", "1.5", "1e3", "12345678901234567", `"1"`} {
		_, ok := Int([]byte(in))
		assert.False(t, ok, in)
	}
}

// TestSkimAllocatesNothing: what a stream past its budget does per chunk
// costs no allocation.
func TestSkimAllocatesNothing(t *testing.T) {
	if llmtest.RaceEnabled {
		t.Skip("allocations are counted without the race detector")
	}
	chunk := []byte(`{"id":"c","choices":[{"index":0,"delta":{"content":"tok"},"finish_reason":null}],"usage":null}`)
	allocs := testing.AllocsPerRun(100, func() {
		finished := false
		EachMember(chunk, func(k, v []byte) bool {
			if string(k) == "choices" {
				EachElement(v, func(c []byte) bool {
					f, _, _ := Member(c, "finish_reason")
					finished = finished || !IsNull(f)
					return true
				})
			}
			return true
		})
		if finished {
			t.Fatal("not finished")
		}
	})
	assert.Zero(t, allocs)
}

// FuzzEachMember: on a JSON object, the skimmer finds the members that a
// JSON decoder reads, keys and values byte for byte; on anything else it
// neither panics nor reads out of range.
func FuzzEachMember(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":{"b":[1,"]",{"c":null}]},"d":"e\"f"}`, `{"k\u0065y":true}`,
		`{"a":1,}`, `[1,2]`, `{"a":"`, `{"a":[}`, ` {"x" : -0.5e-3 , "y":false} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []member
		ok := EachMember(data, func(k, v []byte) bool {
			got = append(got, member{string(k), string(v)})
			return true
		})
		EachElement(data, func([]byte) bool { return true })
		if !json.Valid(data) || len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{' {
			return
		}
		require.True(t, ok, "a valid object: %q", data)
		want := decodeMembers(t, data)
		require.Len(t, got, len(want), "%q", data)
		for i := range want {
			assert.Equal(t, want[i].value, got[i].value, "%q", data)
			var key string
			require.NoError(t, json.Unmarshal([]byte(`"`+got[i].key+`"`), &key), "%q", data)
			assert.Equal(t, want[i].key, key, "%q", data)
		}
	})
}

// decodeMembers reads the members of the JSON object data with
// encoding/json: keys decoded, values as written.
func decodeMembers(t *testing.T, data []byte) []member {
	dec := json.NewDecoder(bytes.NewReader(data))
	_, err := dec.Token() // {
	require.NoError(t, err)
	var out []member
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		out = append(out, member{k.(string), string(v)})
	}
	return out
}
