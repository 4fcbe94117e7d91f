package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"

	"github.com/observe-go/langfuse/semconv"
)

// entry is one propagated experiment attribute: the W3C baggage member
// that carries it to every span of an item's trace, and the span
// attribute it stands for (the SpanProcessor of package tracing turns the
// one into the other).
type entry struct {
	member, key, value string
}

// maxMetadataEntries bounds the metadata entries of an experiment and of
// an item that are propagated, so that the baggage stays far below the
// W3C limits (64 members, 8192 bytes) that a service receiving it
// enforces by dropping members at random.
const maxMetadataEntries = 16

// metadataEntries flattens m (nested maps with '.') into entries under
// the baggage prefix member and the attribute prefix key: strings as
// they are, other values as JSON. Entries whose key is not a W3C baggage
// token, whose value is over 200 characters or not text, and those past
// maxMetadataEntries (by key order) are left out and named in dropped;
// the observation metadata still has them.
func metadataEntries(m map[string]any, member, key string) (out []entry, dropped []string) {
	flat := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		if sub, ok := v.(map[string]any); ok {
			for k, sv := range sub {
				walk(path+"."+k, sv)
			}
			return
		}
		flat[path] = text(v)
	}
	for k, v := range m {
		walk(k, v)
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := flat[k]
		if !token(k) || !propagatable(v) || len(out) == maxMetadataEntries {
			dropped = append(dropped, k)
			continue
		}
		out = append(out, entry{member: member + k, key: key + k, value: v})
	}
	return out, dropped
}

// text is v as an attribute's text: a string as it is, else JSON.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// token reports whether k can end a W3C baggage key (an RFC 7230 token).
func token(k string) bool {
	if k == "" || len(k) > 128 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// propagatable reports whether v can be a propagated attribute: at most
// 200 characters of valid UTF-8 without control characters.
func propagatable(v string) bool {
	return v != "" && utf8.ValidString(v) && utf8.RuneCountInString(v) <= semconv.MaxPropagatedLen &&
		!strings.ContainsFunc(v, unicode.IsControl)
}

// validEnvironment reports whether env is an environment Langfuse takes.
func validEnvironment(env string) bool {
	if env == "" || len(env) > 40 || strings.HasPrefix(env, "langfuse") {
		return false
	}
	for _, r := range env {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// withEntries returns ctx whose W3C baggage holds entries besides what it
// held, and the entries as span attributes. An entry whose value cannot
// be a propagated attribute is left out of both.
func withEntries(ctx context.Context, entries []entry) (context.Context, []attribute.KeyValue) {
	b := baggage.FromContext(ctx)
	kvs := make([]attribute.KeyValue, 0, len(entries))
	for _, e := range entries {
		if !propagatable(e.value) {
			continue
		}
		m, err := baggage.NewMemberRaw(e.member, e.value)
		if err != nil {
			continue
		}
		if nb, err := b.SetMember(m); err == nil {
			b = nb
		}
		kvs = append(kvs, attribute.String(e.key, e.value))
	}
	return baggage.ContextWithBaggage(ctx, b), kvs
}
