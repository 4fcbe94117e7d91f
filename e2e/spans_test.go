package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// span is one span as the collector received it, flattened out of its
// resource and scope.
type span struct {
	TraceID       string
	SpanID        string
	ParentSpanID  string
	Name          string
	Kind          int
	Start, End    time.Time
	Attrs         map[string]any // see value for the Go types
	Events        []event
	StatusCode    int // 0 unset, 1 ok, 2 error
	StatusMessage string
	ScopeName     string
	ScopeVersion  string
	Resource      map[string]any
}

type event struct {
	Name  string
	Attrs map[string]any
}

// attr returns the value of attribute key with the Go type of its OTLP
// kind: string, int64, bool, float64 or []any; nil when it is missing.
func (s span) attr(key string) any { return s.Attrs[key] }

// has reports whether the span has attribute key.
func (s span) has(key string) bool {
	_, ok := s.Attrs[key]
	return ok
}

// str returns the string attribute key, or "" when it is missing or of
// another kind.
func (s span) str(key string) string {
	v, _ := s.Attrs[key].(string)
	return v
}

// strs returns the attribute key if it is an array of strings.
func (s span) strs(key string) ([]string, bool) {
	arr, ok := s.Attrs[key].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		str, ok := v.(string)
		if !ok {
			return nil, false
		}
		out = append(out, str)
	}
	return out, true
}

// hasEvent reports whether the span has an event called name.
func (s span) hasEvent(name string) bool {
	for _, e := range s.Events {
		if e.Name == name {
			return true
		}
	}
	return false
}

// The OTLP JSON the file exporter writes: one exportTraceRequest per line.
type (
	exportTraceRequest struct {
		ResourceSpans []struct {
			Resource struct {
				Attributes []keyValue `json:"attributes"`
			} `json:"resource"`
			ScopeSpans []struct {
				Scope struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"scope"`
				Spans []otlpSpan `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	otlpSpan struct {
		TraceID           string     `json:"traceId"`
		SpanID            string     `json:"spanId"`
		ParentSpanID      string     `json:"parentSpanId"`
		Name              string     `json:"name"`
		Kind              int        `json:"kind"`
		StartTimeUnixNano string     `json:"startTimeUnixNano"`
		EndTimeUnixNano   string     `json:"endTimeUnixNano"`
		Attributes        []keyValue `json:"attributes"`
		Events            []struct {
			Name       string     `json:"name"`
			Attributes []keyValue `json:"attributes"`
		} `json:"events"`
		Status struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"status"`
	}
	keyValue struct {
		Key   string   `json:"key"`
		Value anyValue `json:"value"`
	}
	anyValue struct {
		StringValue *string      `json:"stringValue"`
		IntValue    *json.Number `json:"intValue"` // a JSON string in OTLP JSON
		BoolValue   *bool        `json:"boolValue"`
		DoubleValue *float64     `json:"doubleValue"`
		ArrayValue  *struct {
			Values []anyValue `json:"values"`
		} `json:"arrayValue"`
	}
)

// value converts an OTLP value to string, int64, bool, float64 or []any.
func (v anyValue) value() (any, error) {
	switch {
	case v.StringValue != nil:
		return *v.StringValue, nil
	case v.IntValue != nil:
		return v.IntValue.Int64()
	case v.BoolValue != nil:
		return *v.BoolValue, nil
	case v.DoubleValue != nil:
		return *v.DoubleValue, nil
	case v.ArrayValue != nil:
		out := make([]any, 0, len(v.ArrayValue.Values))
		for _, e := range v.ArrayValue.Values {
			x, err := e.value()
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	}
	return nil, errors.New("value of an unsupported kind")
}

func attrMap(kvs []keyValue) (map[string]any, error) {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		v, err := kv.Value.value()
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", kv.Key, err)
		}
		m[kv.Key] = v
	}
	return m, nil
}

func unixNano(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, n), nil
}

// readSpans returns every span in the collector's output file, in the
// order received. Stop the collector first (collector.spans does), so that
// the file is complete. A missing file holds no spans.
func readSpans(t *testing.T, path string) []span {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()

	var spans []span
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var req exportTraceRequest
		require.NoError(t, json.Unmarshal(sc.Bytes(), &req), "line %d of %s", line, path)
		for _, rs := range req.ResourceSpans {
			res, err := attrMap(rs.Resource.Attributes)
			require.NoError(t, err, "resource, line %d", line)
			for _, ss := range rs.ScopeSpans {
				for _, sp := range ss.Spans {
					s := span{
						TraceID:       sp.TraceID,
						SpanID:        sp.SpanID,
						ParentSpanID:  sp.ParentSpanID,
						Name:          sp.Name,
						Kind:          sp.Kind,
						StatusCode:    sp.Status.Code,
						StatusMessage: sp.Status.Message,
						ScopeName:     ss.Scope.Name,
						ScopeVersion:  ss.Scope.Version,
						Resource:      res,
					}
					s.Attrs, err = attrMap(sp.Attributes)
					require.NoError(t, err, "span %q", sp.Name)
					s.Start, err = unixNano(sp.StartTimeUnixNano)
					require.NoError(t, err, "span %q", sp.Name)
					s.End, err = unixNano(sp.EndTimeUnixNano)
					require.NoError(t, err, "span %q", sp.Name)
					for _, e := range sp.Events {
						ea, err := attrMap(e.Attributes)
						require.NoError(t, err, "event %q of span %q", e.Name, sp.Name)
						s.Events = append(s.Events, event{Name: e.Name, Attrs: ea})
					}
					spans = append(spans, s)
				}
			}
		}
	}
	require.NoError(t, sc.Err())
	return spans
}

// byName indexes spans by name, failing the test on a duplicate.
func byName(t *testing.T, spans []span) map[string]span {
	t.Helper()
	m := make(map[string]span, len(spans))
	for _, s := range spans {
		_, dup := m[s.Name]
		require.False(t, dup, "two spans named %q", s.Name)
		m[s.Name] = s
	}
	return m
}

// names returns the names of spans.
func names(spans []span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}
