package tracing

import (
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/semconv"
)

// Filter decides which ended spans are exported to Langfuse. It is also
// asked as spans start, when it sees only the attributes given to Start,
// to find the spans whose parent is not exported. It is called from the
// goroutines that start and end spans, so it must be safe for concurrent
// use, and cheap.
type Filter func(sdktrace.ReadOnlySpan) bool

// knownLLMScopes are instrumentation scopes of LLM libraries whose spans
// the official SDKs export by default; a scope matches a prefix when it is
// the prefix or starts with the prefix and a dot.
var knownLLMScopes = []string{
	semconv.ScopeName,
	"agent_framework",
	"ai",
	"haystack",
	"langsmith",
	"litellm",
	"openinference",
	"opentelemetry.instrumentation.anthropic",
	"strands-agents",
	"vllm",
}

// DefaultFilter exports what the official SDKs export: spans of this SDK
// (scope "langfuse-sdk"), spans with a gen_ai.* attribute, and spans of
// known LLM instrumentation libraries. HTTP, database and other spans are
// left out; use ExportAll or a Filter of your own to keep them.
func DefaultFilter(s sdktrace.ReadOnlySpan) bool {
	if isKnownLLMScope(s.InstrumentationScope().Name) {
		return true
	}
	for _, kv := range s.Attributes() {
		if strings.HasPrefix(string(kv.Key), semconv.GenAIPrefix) {
			return true
		}
	}
	return false
}

// ExportAll is a Filter that keeps every span.
func ExportAll(sdktrace.ReadOnlySpan) bool { return true }

// isKnownLLMScope reports whether an instrumentation scope belongs to this
// SDK or to a known LLM instrumentation library.
func isKnownLLMScope(scope string) bool {
	for _, p := range knownLLMScopes {
		if scope == p || (strings.HasPrefix(scope, p) && len(scope) > len(p) && scope[len(p)] == '.') {
			return true
		}
	}
	return false
}
