package capture

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

type panicJSON struct{ msg any }

func (p panicJSON) MarshalJSON() ([]byte, error) { panic(p.msg) }

type failJSON struct{ out string }

func (f failJSON) MarshalJSON() ([]byte, error) {
	if f.out == "" {
		return nil, errors.New("nope")
	}
	return []byte(f.out), nil
}

type panicTextM struct{}

func (panicTextM) MarshalText() ([]byte, error) { panic("text boom") }

type panicError struct{}

func (panicError) Error() string { panic("error boom") }

type panicKey struct{ ID int }

func (panicKey) String() string { panic("string boom") }

type panicZero struct{ N int }

func (panicZero) IsZero() bool { panic("zero boom") }

// selfPanic is a panic value whose Error method panics with itself.
type selfPanic struct{}

func (e selfPanic) Error() string { panic(e) }

func TestPanicsAreContained(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	tests := []struct {
		name       string
		v          any
		text, json string
	}{
		{"MarshalJSON", panicJSON{"boom"}, `"<panic in MarshalJSON: boom>"`, `"<panic in MarshalJSON: boom>"`},
		{"MarshalJSON in a plain struct", struct{ P panicJSON }{panicJSON{"boom"}}, `{"P":"<panic in MarshalJSON: boom>"}`, `{"P":"<panic in MarshalJSON: boom>"}`},
		{"MarshalJSON behind an interface", []any{1, panicJSON{"boom"}}, `[1,"<panic in MarshalJSON: boom>"]`, `[1,"<panic in MarshalJSON: boom>"]`},
		{"MarshalJSON panics with an error", panicJSON{errors.New("bad")}, `"<panic in MarshalJSON: bad>"`, `"<panic in MarshalJSON: bad>"`},
		{"MarshalJSON panics with a number", panicJSON{42}, `"<panic in MarshalJSON: 42>"`, `"<panic in MarshalJSON: 42>"`},
		{"MarshalJSON panics with a cyclic map", panicJSON{cyclic}, `"<panic in MarshalJSON: map[string]interface {} value>"`, `"<panic in MarshalJSON: map[string]interface {} value>"`},
		{"MarshalJSON panics with a panicking error", panicJSON{selfPanic{}}, `"<panic in MarshalJSON: capture.selfPanic value>"`, `"<panic in MarshalJSON: capture.selfPanic value>"`},
		{"MarshalJSON panics with bad UTF-8", panicJSON{"bad \xff"}, `"<panic in MarshalJSON: bad \ufffd>"`, `"<panic in MarshalJSON: bad \ufffd>"`},
		{"MarshalJSON fails", failJSON{}, `"<error in MarshalJSON: nope>"`, `"<error in MarshalJSON: nope>"`},
		{"MarshalJSON writes no JSON", failJSON{"{oops"}, `"<error in MarshalJSON: invalid JSON>"`, `"<error in MarshalJSON: invalid JSON>"`},
		{"MarshalJSON writes bad UTF-8", []any{failJSON{"\"a\xffb\""}}, "[\"a\ufffdb\"]", "[\"a\ufffdb\"]"},
		{"MarshalJSON writes bad UTF-8, plain type", []failJSON{{"\"a\xffb\""}}, "[\"a\ufffdb\"]", "[\"a\ufffdb\"]"},
		{"MarshalText", panicTextM{}, `"<panic in MarshalText: text boom>"`, `"<panic in MarshalText: text boom>"`},
		{"MarshalText of a map key", map[panicTextM]int{{}: 1}, `{"<panic in MarshalText: text boom>":1}`, `{"<panic in MarshalText: text boom>":1}`},
		{"Error", panicError{}, "<panic in Error: error boom>", `"<panic in Error: error boom>"`},
		{"Error of a field", struct{ E error }{panicError{}}, `{"E":"<panic in Error: error boom>"}`, `{"E":"<panic in Error: error boom>"}`},
		{"String of a map key", map[panicKey]int{{1}: 1}, `{"<panic in String: string boom>":1}`, `{"<panic in String: string boom>":1}`},
		{"IsZero keeps the field", struct {
			Z panicZero `json:"z,omitzero"`
		}{}, `{"z":{"N":0}}`, `{"z":{"N":0}}`},
		{"long panic message is clipped", panicJSON{strings.Repeat("x", 1000)}, `"<panic in MarshalJSON: ` + strings.Repeat("x", maxPanicText) + `...>"`, `"<panic in MarshalJSON: ` + strings.Repeat("x", maxPanicText) + `...>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var text, js string
			assert.NotPanics(t, func() {
				text = String(tt.v, Options{})
				js = JSON(tt.v, Options{})
			})
			assert.Equal(t, tt.text, text)
			assert.Equal(t, tt.json, js)
			checkOutput(t, js, Options{}, true)
		})
	}
}

func TestRuntimePanic(t *testing.T) {
	var m *failJSON // MarshalJSON on a value receiver through a nil pointer
	got := JSON(struct{ M any }{M: (*nilDeref)(nil)}, Options{})
	assert.Equal(t, `{"M":null}`, got)
	assert.Equal(t, "null", JSON(m, Options{}))
	got = JSON(nilDeref{}, Options{})
	assert.Equal(t, `"<panic in MarshalJSON: runtime error: invalid memory address or nil pointer dereference>"`, got)
}

type nilDeref struct{ p *int }

func (n nilDeref) MarshalJSON() ([]byte, error) { return []byte{byte(*n.p)}, nil }
