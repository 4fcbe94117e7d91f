package observe

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/baggage"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/propctx"
)

// Baggage member names, as the official Langfuse SDKs spell them, so that
// services written with any of them read what this one sends.
const (
	baggagePrefix         = "langfuse_"
	baggageUserID         = baggagePrefix + "user_id"
	baggageSessionID      = baggagePrefix + "session_id"
	baggageVersion        = baggagePrefix + "version"
	baggageTraceName      = baggagePrefix + "trace_name"
	baggageTags           = baggagePrefix + "tags" // comma-separated
	baggageMetadataPrefix = baggagePrefix + "metadata_"
)

// ReadBaggage makes langfuse.ObserveHandler apply the langfuse_* members
// of an incoming request's W3C baggage (user, session, version, trace
// name, tags, metadata) as propagated attributes, as if the handler had
// called PropagateAttributes with them, and keep that baggage in the
// request's context so that it travels on. It is off by default because
// baggage comes from the caller: enable it only for trusted callers, such
// as your own services behind a gateway that strips the header from
// outside requests. Elsewhere it is ignored.
func ReadBaggage(on bool) Option { return opt(core.FReadBaggage, nil, "", "", core.Bool(on)) }

// TraceIDHeader makes langfuse.ObserveHandler derive the trace id of a
// request that joins no incoming trace (no W3C traceparent) from the
// request header name, such as "X-Request-ID", as
// CreateTraceID(value) does, so the trace can be found again from that
// id. A request without the header gets a random trace id as usual.
// Elsewhere it is ignored.
func TraceIDHeader(name string) Option { return opt(core.FTraceIDHeader, nil, name, "", 0) }

// AttributesFromBaggage returns the attributes carried in the langfuse_*
// members of b, the W3C baggage that PropagateAttributes writes with
// AsBaggage, here or in an official Langfuse SDK: langfuse_user_id,
// langfuse_session_id, langfuse_version, langfuse_trace_name,
// langfuse_tags (comma-separated) and langfuse_metadata_<key>. Other
// members are ignored. Use it to read baggage that arrives by other
// means than HTTP, and pass the result to PropagateAttributes.
func AttributesFromBaggage(b baggage.Baggage) Attributes {
	var a Attributes
	if b.Len() == 0 {
		return a
	}
	for _, m := range b.Members() {
		name, v := m.Key(), m.Value()
		if v == "" || !strings.HasPrefix(name, baggagePrefix) {
			continue
		}
		switch name {
		case baggageUserID:
			a.UserID = v
		case baggageSessionID:
			a.SessionID = v
		case baggageVersion:
			a.Version = v
		case baggageTraceName:
			a.TraceName = v
		case baggageTags:
			for t := range strings.SplitSeq(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					a.Tags = append(a.Tags, t)
				}
			}
		default:
			if k, ok := strings.CutPrefix(name, baggageMetadataPrefix); ok && k != "" {
				if a.Metadata == nil {
					a.Metadata = make(map[string]string)
				}
				a.Metadata[k] = v
			}
		}
	}
	return a
}

// withBaggage returns ctx with s written into its W3C baggage under the
// member names above, keeping the other members.
func withBaggage(ctx context.Context, s *propctx.Set) context.Context {
	b := baggage.FromContext(ctx)
	set := func(name, v string) {
		if v == "" {
			return
		}
		m, err := baggage.NewMemberRaw(name, v)
		if err != nil {
			core.ClientFrom(ctx).Warn("PropagateAttributes: a value is not valid UTF-8 and was not added to baggage", "member", name)
			return
		}
		if nb, err := b.SetMember(m); err == nil {
			b = nb
		}
	}
	set(baggageUserID, s.UserID)
	set(baggageSessionID, s.SessionID)
	set(baggageVersion, s.Version)
	set(baggageTraceName, s.TraceName)
	if len(s.Tags) > 0 {
		set(baggageTags, strings.Join(s.Tags, ","))
	}
	for k, v := range s.Metadata {
		name := baggageMetadataPrefix + k
		// A W3C baggage key is an RFC 7230 token; a member with any other
		// key would be left out of the header without a word.
		if _, err := baggage.NewMember(name, ""); err != nil {
			core.ClientFrom(ctx).Warn("PropagateAttributes: a metadata key is not a valid baggage key and was not added to baggage", "key", k)
			continue
		}
		set(name, v)
	}
	return baggage.ContextWithBaggage(ctx, b)
}
