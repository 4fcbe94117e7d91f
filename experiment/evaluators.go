package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// ExactMatch returns the evaluator "exact_match": a BOOLEAN score, true
// when the output equals the expected output (==).
func ExactMatch[In any, T comparable]() Evaluator[In, T, T] {
	return NewEvaluator("exact_match", func(_ context.Context, r ItemResult[In, T, T]) ([]Evaluation, error) {
		return []Evaluation{{Name: "exact_match", Value: r.Output == r.Item.Expected}}, nil
	})
}

// JSONEqual returns the evaluator "json_equal": a BOOLEAN score, true
// when the output and the expected output are the same JSON value. A
// string is read as the JSON text it holds, as a model answers; any other
// value is compared as it encodes. Object keys may come in any order and
// 1 equals 1.0. An output that is not JSON scores false, with a comment
// that says so.
func JSONEqual[In, Exp, Out any]() Evaluator[In, Exp, Out] {
	return NewEvaluator("json_equal", func(_ context.Context, r ItemResult[In, Exp, Out]) ([]Evaluation, error) {
		want, err := jsonValue(r.Item.Expected)
		if err != nil {
			return nil, fmt.Errorf("expected output: %w", err)
		}
		got, err := jsonValue(r.Output)
		if err != nil {
			return []Evaluation{{Name: "json_equal", Value: false, Comment: "output: " + err.Error()}}, nil
		}
		return []Evaluation{{Name: "json_equal", Value: reflect.DeepEqual(got, want)}}, nil
	})
}

// jsonValue is v as a decoded JSON value.
func jsonValue(v any) (any, error) {
	var data []byte
	switch x := v.(type) {
	case string:
		data = []byte(x)
	case []byte:
		data = x
	case json.RawMessage:
		data = x
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		data = b
	}
	var out any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("not JSON: text after the value")
	}
	return out, nil
}
