package langfusemcp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// FuzzExtract reads the trace context and baggage out of a _meta decoded
// from JSON, as the SDK decodes a request's params: whatever the caller
// sends, extract returns, and joins only a trace whose traceparent is a
// string within its bound that names it.
func FuzzExtract(f *testing.F) {
	for _, seed := range []string{
		`{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}`,
		`{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00","tracestate":"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"}`,
		`{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","baggage":"langfuse_user_id=u1,langfuse_tags=a%2Cb"}`,
		`{"traceparent":42,"tracestate":{"a":1},"baggage":[1,2]}`,
		`{"traceparent":"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"}`,
		`{"baggage":"langfuse_metadata_k=v;prop=1,=,x"}`,
		`{}`,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var meta map[string]any
		if json.Unmarshal(data, &meta) != nil {
			return
		}
		ctx := extract(context.Background(), meta, true)
		sc := trace.SpanContextFromContext(ctx)
		if sc.IsValid() {
			tp, ok := meta[keyTraceparent].(string)
			if !ok || len(tp) > maxTraceparent {
				t.Fatalf("joined a trace from traceparent %#v", meta[keyTraceparent])
			}
			if !strings.Contains(strings.ToLower(tp), sc.TraceID().String()) {
				t.Fatalf("trace %s is not the one traceparent %q names", sc.TraceID(), tp)
			}
			if !sc.IsRemote() {
				t.Fatal("the caller's span context is not remote")
			}
		}
		if b := baggage.FromContext(ctx); b.Len() > 0 {
			s, ok := meta[keyBaggage].(string)
			if !ok || len(s) > maxBaggage {
				t.Fatalf("baggage read from %#v", meta[keyBaggage])
			}
		}
		// What was read goes on as it came: injected again, it reads the same.
		out := map[string]any{}
		inject(ctx, out)
		again := trace.SpanContextFromContext(extract(context.Background(), out, true))
		if again.TraceID() != sc.TraceID() || again.SpanID() != sc.SpanID() || again.TraceFlags() != sc.TraceFlags() {
			t.Fatalf("re-injected span context %v, want %v", again, sc)
		}
	})
}

// FuzzRedact: redacting a message never panics, keeps valid UTF-8 valid,
// and redacting again changes nothing.
func FuzzRedact(f *testing.F) {
	for _, seed := range []string{
		"invalid token: Bearer sk-live-1234567890",
		"Basic dXNlcjpwYXNzd29yZA== denied",
		"bearer bearer bearer Abcdefgh1",
		"Basic authentication failed",
		"é Bearer é1234567890",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		s := secrets{"secret-value-1"}
		got := s.redact(msg)
		if utf8.ValidString(msg) && !utf8.ValidString(got) {
			t.Fatalf("redact(%q) = %q, not valid UTF-8", msg, got)
		}
		if again := s.redact(got); again != got {
			t.Fatalf("redact is not stable: %q, then %q", got, again)
		}
		if strings.Contains(got, "secret-value-1") {
			t.Fatalf("redact(%q) = %q keeps the secret", msg, got)
		}
	})
}
