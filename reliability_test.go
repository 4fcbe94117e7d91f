package langfuse_test

import (
	"context"
	"iter"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// Values whose methods panic, as the methods of a caller's types may.
type (
	jsonBomb   struct{}
	textBomb   struct{}
	stringBomb struct{ id int }
	errorBomb  struct{}
	// derefError panics when Error is called on a nil pointer, the classic
	// typed nil returned as an error.
	derefError struct{ msg string }
	// panicBomb is a panic value whose Error method panics too.
	panicBomb struct{}
)

func (jsonBomb) MarshalJSON() ([]byte, error) { panic("json boom") }
func (textBomb) MarshalText() ([]byte, error) { panic("text boom") }
func (stringBomb) String() string             { panic("string boom") }
func (errorBomb) Error() string               { panic("error boom") }
func (e *derefError) Error() string           { return e.msg }
func (*panicBomb) Error() string              { panic("error of the panic value") }

// captured is an input, output or metadata value with a bad method
// inside, next to good data that must still be written.
type captured struct {
	OK  int `json:"ok"`
	Bad any `json:"bad"`
}

// lookup returns a failing helper's error: nil as *derefError, which is a
// non-nil error whose Error method panics.
func lookup() *derefError { return nil }

// TestPanicsInCapturedValuesAreContained checks that a panic in a method
// of a value being captured as input, output or metadata never reaches
// the caller: the call returns what the wrapped function returned and the
// value is recorded with a placeholder that names the method.
func TestPanicsInCapturedValuesAreContained(t *testing.T) {
	tests := []struct {
		name string
		bad  any
		want string // placeholder that replaces bad
	}{
		{"MarshalJSON", jsonBomb{}, "<panic in MarshalJSON: json boom>"},
		{"MarshalText", textBomb{}, "<panic in MarshalText: text boom>"},
		{"MarshalText of a map key", map[textBomb]int{{}: 1}, "<panic in MarshalText: text boom>"},
		{"String of a map key", map[stringBomb]int{{id: 1}: 1}, "<panic in String: string boom>"},
		{"Error", errorBomb{}, "<panic in Error: error boom>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t)
			in := captured{OK: 1, Bad: tt.bad}
			f := langfuse.Observe1("capture", func(ctx context.Context, v captured) (captured, error) {
				observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"bad": v}))
				return v, nil
			})
			var got captured
			var err error
			require.NotPanics(t, func() { got, err = f(context.Background(), in) })
			require.NoError(t, err)
			assert.Equal(t, in, got, "the result is the function's")

			o := find(t, rec, "capture")
			assert.False(t, o.Failed(), "a bad value is not an error of the call")
			for field, text := range map[string]string{
				"input":    o.Input,
				"output":   o.Output,
				"metadata": o.Metadata["bad"].AsString(),
			} {
				assert.Contains(t, text, tt.want, field)
				assert.Contains(t, text, `"ok":1`, "%s: the rest of the value is written", field)
			}
		})
	}
}

// TestPanickingMaskIsContained checks that a mask that panics replaces
// every value it was given, input, output and metadata, of wrapped and
// manual observations, with capture.MaskFailed, and never the value.
func TestPanickingMaskIsContained(t *testing.T) {
	_, rec := newClientWith(t, nil, langfuse.WithMask(func(any) any { panic("mask boom") }))
	f := langfuse.Observe1("masked", func(ctx context.Context, s string) (string, error) {
		observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"note": s, "n": 7}))
		return "echo " + s, nil
	})
	var got string
	var err error
	require.NotPanics(t, func() { got, err = f(context.Background(), "secret-1") })
	require.NoError(t, err)
	assert.Equal(t, "echo secret-1", got)

	require.NotPanics(t, func() {
		_, o := observe.Start(context.Background(), "masked-manual",
			observe.WithInput("secret-2"), observe.WithMetadata(map[string]any{"note": "secret-2"}))
		o.End(observe.WithOutput("secret-2"))
	})

	for _, name := range []string{"masked", "masked-manual"} {
		o := find(t, rec, name)
		assert.Equal(t, capture.MaskFailed, o.Input, name)
		assert.Equal(t, capture.MaskFailed, o.Output, name)
		assert.Contains(t, o.Metadata["note"].AsString(), capture.MaskFailed, name)
		for k, v := range o.Attributes {
			assert.NotContains(t, v.String(), "secret-", "%s: attribute %s", name, k)
		}
	}
}

// TestPanickingTransformOutputIsContained checks that a TransformOutput
// function that panics leaves the sequence's items and the loop alone and
// records a placeholder as the output.
func TestPanickingTransformOutputIsContained(t *testing.T) {
	_, rec := newClient(t)
	stream := langfuse.ObserveSeq("stream", tokens("a", "b", "c"),
		observe.TransformOutput(func([]any) any { panic("transform boom") }))
	var got []string
	require.NotPanics(t, func() {
		for s, err := range stream(context.Background(), "q") {
			require.NoError(t, err)
			got = append(got, s)
		}
	})
	assert.Equal(t, []string{"a", "b", "c"}, got, "every item is delivered")
	o := find(t, rec, "stream")
	assert.Equal(t, "<panic in TransformOutput: transform boom>", o.Output)
	assert.False(t, o.Failed())
}

// TestErrorWhoseErrorMethodPanics checks that an error returned by the
// wrapped function (or yielded by an observed sequence) whose Error
// method panics is returned to the caller unchanged, without a panic, and
// recorded as an error with a placeholder message.
func TestErrorWhoseErrorMethodPanics(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"Error panics", errorBomb{}},
		{"typed nil pointer", lookup()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t)
			f := langfuse.Observe1("fails", func(context.Context, int) (int, error) { return 3, tt.err })
			e := langfuse.ObserveErr("fails-err", func(context.Context) error { return tt.err })
			seq := langfuse.ObserveSeq("fails-seq", func(context.Context, int) iter.Seq2[int, error] {
				return func(yield func(int, error) bool) { _ = yield(0, tt.err) && yield(1, nil) }
			})

			var got int
			var err, errOnly error
			var items []int
			assert.NotPanics(t, func() { got, err = f(context.Background(), 1) }, "Observe1")
			assert.NotPanics(t, func() { errOnly = e(context.Background()) }, "ObserveErr")
			assert.NotPanics(t, func() {
				var itemErrs []error
				for v, err := range seq(context.Background(), 1) {
					items, itemErrs = append(items, v), append(itemErrs, err)
				}
				assert.Equal(t, []error{tt.err, nil}, itemErrs, "the item's error is passed on unchanged")
			}, "ObserveSeq")
			assert.Equal(t, 3, got)
			assert.Equal(t, tt.err, err, "the error is returned unchanged")
			assert.Equal(t, tt.err, errOnly, "the error is returned unchanged")
			assert.Equal(t, []int{0, 1}, items, "every item is delivered")

			for _, name := range []string{"fails", "fails-err", "fails-seq"} {
				o, ok := rec.Find(name)
				if !assert.True(t, ok, "%s was recorded", name) {
					continue
				}
				assert.Equal(t, semconv.LevelError, o.Level, name)
				assert.Equal(t, codes.Error, o.Status.Code, name)
				assert.Contains(t, o.StatusMessage, "panic", "%s: the message says what happened", name)
			}
		})
	}
}

// TestWrappedPanicWithBadValueRaisedUnchanged checks that the wrapped
// function's own panic goes on with the very value it panicked with, even
// when formatting that value panics, and is recorded with a placeholder.
func TestWrappedPanicWithBadValueRaisedUnchanged(t *testing.T) {
	_, rec := newClient(t)
	pv := &panicBomb{}
	calls := map[string]func(){
		"panics": func() {
			_, _ = langfuse.Observe1("panics", func(context.Context, int) (int, error) { panic(pv) })(context.Background(), 1)
		},
		"panics-err": func() {
			_ = langfuse.ObserveErr("panics-err", func(context.Context) error { panic(pv) })(context.Background())
		},
		"panics-seq": func() {
			seq := langfuse.ObserveSeq("panics-seq", func(context.Context, int) iter.Seq2[int, error] {
				return func(yield func(int, error) bool) { yield(1, nil); panic(pv) }
			})
			for _, err := range seq(context.Background(), 1) {
				assert.NoError(t, err)
			}
		},
		"panics-seq-start": func() {
			seq := langfuse.ObserveSeq("panics-seq-start", func(context.Context, int) iter.Seq2[int, error] { panic(pv) })
			for _, err := range seq(context.Background(), 1) {
				assert.NoError(t, err)
			}
		},
		"panics-in-loop": func() {
			for _, err := range langfuse.ObserveSeq("panics-in-loop", tokens("a"))(context.Background(), "q") {
				assert.NoError(t, err)
				panic(pv)
			}
		},
	}
	for name, call := range calls {
		var got any
		func() {
			defer func() { got = recover() }()
			call()
		}()
		assert.Same(t, pv, got, "%s: the panic goes on with the original value", name)

		o := find(t, rec, name)
		assert.True(t, o.Failed(), name)
		assert.True(t, strings.HasPrefix(o.StatusMessage, "panic: "), "%s: %q", name, o.StatusMessage)
	}

	sv := stringBomb{id: 9}
	assert.PanicsWithValue(t, sv, func() {
		_ = langfuse.ObserveErr("panics-stringer", func(context.Context) error { panic(sv) })(context.Background())
	}, "a panic value whose String method panics goes on unchanged")
	o := find(t, rec, "panics-stringer")
	assert.True(t, o.Failed())
	assert.True(t, strings.HasPrefix(o.StatusMessage, "panic: "), o.StatusMessage)
}

// TestPanicInCaptureLeavesOtherObservationsAlone checks that after every
// kind of contained panic the client still records normally.
func TestPanicInCaptureLeavesOtherObservationsAlone(t *testing.T) {
	_, rec := newClient(t)
	for _, v := range []any{jsonBomb{}, textBomb{}, errorBomb{}, map[stringBomb]int{{}: 1}} {
		_, o := observe.Start(context.Background(), "bad", observe.WithInput(v))
		o.End(observe.WithOutput(v))
	}
	_, err := langfuse.Observe1("good", func(_ context.Context, s string) (string, error) { return s, nil })(context.Background(), "fine")
	require.NoError(t, err)
	assert.Equal(t, "fine", find(t, rec, "good").Output)
	n := 0
	for _, o := range rec.Observations() {
		if o.Name == "bad" {
			n++
		}
	}
	assert.Equal(t, 4, n)
}
