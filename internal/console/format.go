package console

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/semconv"
)

type consoleSpan struct {
	traceID      trace.TraceID
	spanID       trace.SpanID
	parentID     trace.SpanID
	root         bool // starts the trace in this process
	remoteParent bool
	start        time.Time
	name         string
	kind         string
	duration     string
	extras       string   // status, model, usage, cost, prompt
	ttft         string   // time to first token, a duration
	details      []string // level, input, output, metadata lines
	header       consoleHeader
}

func newConsoleSpan(ro sdktrace.ReadOnlySpan) *consoleSpan {
	sc, parent := ro.SpanContext(), ro.Parent()
	s := &consoleSpan{
		traceID:      sc.TraceID(),
		spanID:       sc.SpanID(),
		parentID:     parent.SpanID(),
		remoteParent: parent.IsRemote() && parent.SpanID().IsValid(),
		start:        ro.StartTime(),
		name:         consoleText(ro.Name(), consoleMaxText, false),
	}
	if s.name == "" {
		s.name = "(no name)"
	}
	if start, end := ro.StartTime(), ro.EndTime(); !start.IsZero() && !end.IsZero() && !end.Before(start) {
		s.duration = consoleDuration(end.Sub(start))
	}

	var (
		level, message, input, output string
		traceInput, traceOutput       string
		model, usage, cost, prompt    string
		promptVersion, status, ttft   string
		meta                          []attribute.KeyValue
		asRoot, madeUpParent          bool
	)
	for _, kv := range ro.Attributes() {
		k, v := string(kv.Key), kv.Value
		switch k {
		case semconv.ObservationType:
			s.kind = consoleText(consoleString(v), consoleMaxValue, false)
		case semconv.ObservationInput:
			input = consoleIO(v)
		case semconv.ObservationOutput:
			output = consoleIO(v)
		case semconv.TraceInput:
			traceInput = consoleIO(v)
		case semconv.TraceOutput:
			traceOutput = consoleIO(v)
		case semconv.ObservationLevel:
			level = consoleText(consoleString(v), consoleMaxValue, false)
		case semconv.ObservationStatusMessage:
			message = consoleText(consoleString(v), consoleMaxText, true)
		case semconv.ObservationModel:
			model = consoleValue(v)
		case semconv.ObservationUsageDetails:
			usage = consoleDetails(v)
		case semconv.ObservationCostDetails:
			cost = consoleDetails(v)
		case semconv.ObservationCompletionStartTime:
			ttft = consoleTTFT(v, ro.StartTime())
		case consoleHTTPStatus:
			status = consoleValue(v)
		case semconv.ObservationPromptName:
			prompt = consoleValue(v)
		case semconv.ObservationPromptVersion:
			promptVersion = consoleValue(v)
		case semconv.AsRoot:
			// The parent of an as_root span is made up: not worth showing.
			madeUpParent = v.AsBool() || v.AsString() == "true"
			asRoot = asRoot || madeUpParent
		case semconv.IsAppRoot:
			asRoot = asRoot || v.AsBool() || v.AsString() == "true"
		default:
			if strings.HasPrefix(k, semconv.ObservationMetadataPrefix) {
				meta = append(meta, kv)
			} else {
				s.header.set(k, v)
			}
		}
	}
	s.root = asRoot || !parent.SpanID().IsValid() || parent.IsRemote()
	s.remoteParent = s.remoteParent && !madeUpParent

	if s.kind == "" {
		switch scope := ro.InstrumentationScope().Name; scope {
		case semconv.ScopeName:
			s.kind = "span"
		case "":
			s.kind = "otel"
		default:
			s.kind = consoleText(scope, consoleMaxValue, false)
		}
	}
	if s.kind != "generation" && s.kind != "embedding" {
		model, usage, cost, prompt, ttft = "", "", "", "", ""
	}
	if prompt != "" {
		prompt += "@" + promptVersion
	}
	var x []string
	for i, f := range []string{status, model, usage, cost, prompt} {
		if f != "" {
			x = append(x, [...]string{"status=", "model=", "usage=", "cost=", "prompt="}[i]+f)
		}
	}
	s.extras = strings.Join(x, " ")
	s.ttft = ttft

	st := ro.Status()
	if st.Code == codes.Error && level == "" {
		level = semconv.LevelError
	}
	if message == "" && st.Description != "" {
		message = consoleText(st.Description, consoleMaxText, true)
	}
	if (level != "" && level != semconv.LevelDefault) || st.Code == codes.Error {
		s.details = append(s.details, strings.TrimSpace("level="+level+" "+message))
	}
	if input != "" {
		s.details = append(s.details, "input:  "+input)
	}
	if output != "" {
		s.details = append(s.details, "output: "+output)
	}
	if len(meta) > 0 {
		s.details = append(s.details, "meta:   "+consoleMeta(meta))
	}
	if traceInput != "" {
		s.details = append(s.details, "trace input:  "+traceInput)
	}
	if traceOutput != "" {
		s.details = append(s.details, "trace output: "+traceOutput)
	}
	return s
}

// consoleHeader holds the trace attributes of a tree's first line, each
// formatted: the trace name, then user, session, environment and tags.
type consoleHeader [5]string

func (h *consoleHeader) set(k string, v attribute.Value) {
	switch k {
	case semconv.TraceName:
		h[0] = consoleText(consoleString(v), consoleMaxText, true)
	case semconv.UserID:
		h[1] = "user=" + consoleValue(v)
	case semconv.SessionID:
		h[2] = "session=" + consoleValue(v)
	case semconv.Environment:
		h[3] = "env=" + consoleValue(v)
	case semconv.TraceTags:
		tags := []string{consoleString(v)}
		if v.Type() == attribute.STRINGSLICE {
			tags = v.AsStringSlice()
		}
		x := make([]string, len(tags))
		for i, t := range tags {
			x[i] = consoleValue(attribute.StringValue(t))
		}
		h[4] = "tags=[" + strings.Join(x, " ") + "]"
	}
}

func (h *consoleHeader) write(b *bytes.Buffer) {
	if h[0] != "" {
		b.WriteString("  " + h[0])
	}
	sep := "  "
	for _, f := range h[1:] {
		if f != "" {
			b.WriteString(sep + f)
			sep = " "
		}
	}
}

// consoleMeta formats observation metadata as sorted key=value pairs.
func consoleMeta(meta []attribute.KeyValue) string {
	slices.SortStableFunc(meta, func(a, b attribute.KeyValue) int { return strings.Compare(string(a.Key), string(b.Key)) })
	var x []string
	for i, kv := range meta {
		if i == consoleMaxMeta {
			x = append(x, fmt.Sprintf("…+%d", len(meta)-i))
			break
		}
		k := strings.TrimPrefix(string(kv.Key), semconv.ObservationMetadataPrefix)
		x = append(x, consoleText(k, consoleMaxValue, false)+"="+consoleValue(kv.Value))
	}
	return strings.Join(x, " ")
}

// consoleString returns a string attribute as is and any other as text.
func consoleString(v attribute.Value) string {
	if v.Type() == attribute.STRING {
		return v.AsString()
	}
	return v.String()
}

// consoleValue formats a short value, quoted when it is empty or holds
// spaces, quotes, '=' or characters that need escaping.
func consoleValue(v attribute.Value) string {
	s := consoleString(v)
	plain := s != ""
	for i, r := range s {
		if i > 4*consoleMaxValue { // past what is shown
			break
		}
		if r == ' ' || r == '"' || r == '=' || !strconv.IsPrint(r) {
			plain = false
			break
		}
	}
	return consoleText(s, consoleMaxValue, !plain)
}

// consoleIO formats an input or output: JSON objects and arrays as they
// are, other strings quoted.
func consoleIO(v attribute.Value) string {
	s := consoleString(v)
	t := strings.TrimLeft(s, " \t\r\n")
	raw := v.Type() != attribute.STRING || strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
	if raw {
		s = t
	}
	return consoleText(s, consoleMaxText, !raw)
}

// consoleHTTPStatus is the attribute of ObserveHandler's observations
// that holds the status code the handler sent.
const consoleHTTPStatus = "http.response.status_code"

// consoleMaxDetails bounds usage and cost details: far above what any
// model reports, so they are never cut short, yet bounded for a hostile
// value.
const consoleMaxDetails = 1000

// consoleDetails formats usage or cost details whole (up to
// consoleMaxDetails runes): they are short, and a count cut in the middle
// reads as a wrong number.
func consoleDetails(v attribute.Value) string {
	return consoleText(strings.TrimSpace(consoleString(v)), consoleMaxDetails, false)
}

// consoleTTFT is the time from start to the completion start time v (a
// JSON-quoted RFC 3339 time), or "" when v is not one or precedes start.
func consoleTTFT(v attribute.Value, start time.Time) string {
	t, err := time.Parse(time.RFC3339Nano, strings.Trim(consoleString(v), `"`))
	if err != nil || start.IsZero() || t.Before(start) {
		return ""
	}
	return consoleDuration(t.Sub(start))
}

// consoleText returns s on one line with control characters and invalid
// UTF-8 escaped, cut to max runes and marked with "…" when cut. quote
// wraps it in double quotes and escapes quotes and backslashes.
func consoleText(s string, max int, quote bool) string {
	var b strings.Builder
	if quote {
		b.WriteByte('"')
	}
	cut := false
	for i, n := 0, 0; i < len(s); n++ {
		if n == max {
			cut = true
			break
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case quote && (r == '"' || r == '\\'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case strconv.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += w
	}
	if quote {
		b.WriteByte('"')
	}
	if cut {
		b.WriteString("…")
	}
	return b.String()
}

// consoleDuration rounds d to three significant digits or so.
func consoleDuration(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return d.String()
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	}
	if r := d.Round(100 * time.Microsecond); r < time.Second {
		return strconv.FormatFloat(float64(r)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	}
	if r := d.Round(10 * time.Millisecond); r < time.Minute {
		return strconv.FormatFloat(r.Seconds(), 'f', 2, 64) + "s"
	}
	return d.Round(time.Second).String()
}
