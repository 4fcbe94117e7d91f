package capture

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

type node struct {
	Name string
	Next *node
}

type box struct{ V any }

type tree struct{ Kids []tree }

type selfPtr *selfPtr

func TestCycles(t *testing.T) {
	self := &node{Name: "a"}
	self.Next = self

	ring := &node{Name: "a", Next: &node{Name: "b"}}
	ring.Next.Next = ring

	m := map[string]any{"a": 1}
	m["self"] = m

	s := []any{1, nil}
	s[1] = s

	b := &box{}
	b.V = b

	inner := map[string]any{}
	inner["b"] = &box{V: inner}

	var p selfPtr
	p = &p

	prefix := make([]any, 2)
	prefix[0], prefix[1] = prefix[:1], "x"

	kids := make([]tree, 1)
	kids[0].Kids = kids

	leaf := &node{Name: "leaf"}
	shared := map[string]any{"k": 1}

	tests := []struct {
		name string
		v    any
		want string
	}{
		{"struct pointing to itself", self, `{"Name":"a","Next":"<cycle *capture.node>"}`},
		{"ring of two", ring, `{"Name":"a","Next":{"Name":"b","Next":"<cycle *capture.node>"}}`},
		{"map containing itself", m, `{"a":1,"self":"<cycle map[string]interface {}>"}`},
		{"slice containing itself", s, `[1,"<cycle []interface {}>"]`},
		{"through an interface field", b, `{"V":"<cycle *capture.box>"}`},
		{"map through a struct", inner, `{"b":{"V":"<cycle map[string]interface {}>"}}`},
		{"pointer to itself", p, `"<cycle capture.selfPtr>"`},
		{"slice holding a prefix of itself", prefix, `[["<cycle []interface {}>"],"x"]`},
		{"slice of structs holding the slice", kids, `[{"Kids":"<cycle []capture.tree>"}]`},
		{"shared pointer is not a cycle", []*node{leaf, leaf}, `[{"Name":"leaf","Next":null},{"Name":"leaf","Next":null}]`},
		{"shared map is not a cycle", []any{shared, shared}, `[{"k":1},{"k":1}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JSON(tt.v, Options{})
			assert.Equal(t, tt.want, got)
			checkOutput(t, got, Options{}, true)
		})
	}
}

// nestedArray returns a value of type [1][1]...[1]int, depth levels deep:
// a type with no interfaces, which go-json would encode to any depth.
func nestedArray(depth int) any {
	t := reflect.TypeFor[int]()
	for range depth {
		t = reflect.ArrayOf(1, t)
	}
	return reflect.New(t).Elem().Interface()
}

func TestDepth(t *testing.T) {
	nestedAny := func(depth int) any {
		var v any = "leaf"
		for range depth {
			v = []any{v}
		}
		return v
	}
	wrapped := func(depth int, inner string) string {
		return strings.Repeat("[", depth) + inner + strings.Repeat("]", depth)
	}
	var ptrChain any = 1
	for range 10000 {
		x := ptrChain
		ptrChain = &x
	}
	tests := []struct {
		name string
		v    any
		o    Options
		want string
	}{
		{"within the limit", nestedAny(32), Options{}, wrapped(32, `"leaf"`)},
		{"beyond the limit", nestedAny(33), Options{}, wrapped(32, `"<max depth 32>"`)},
		{"far beyond the limit", nestedAny(100000), Options{}, wrapped(32, `"<max depth 32>"`)},
		{"own limit", map[string]any{"a": map[string]any{"b": map[string]any{"c": 1}}}, Options{MaxDepth: 2}, `{"a":{"b":"<max depth 2>"}}`},
		{"own limit on a plain type", map[string]map[string]map[string]int{"a": {"b": {"c": 1}}}, Options{MaxDepth: 2}, `{"a":{"b":"<max depth 2>"}}`},
		{"plain type within the limit", nestedArray(20), Options{}, wrapped(20, "0")},
		{"plain type beyond the limit", nestedArray(40), Options{}, wrapped(32, `"<max depth 32>"`)},
		{"long pointer chain", ptrChain, Options{}, `"<max depth 32>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JSON(tt.v, tt.o)
			assert.Equal(t, tt.want, got)
			checkOutput(t, got, tt.o, true)
		})
	}
}

// TestExponentialSharing checks that a small value that expands to a huge
// text (each level holds the one below twice) stops at the byte limit.
func TestExponentialSharing(t *testing.T) {
	var v any = "x"
	for range 60 {
		v = []any{v, v}
	}
	for _, o := range []Options{{MaxDepth: 1000}, {MaxBytes: 4096}} {
		got := JSON(v, o)
		assert.Contains(t, got, "...<truncated more than ")
		checkOutput(t, got, o, true)
	}
}
