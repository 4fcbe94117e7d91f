package core

import (
	"reflect"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/semconv"
)

// apply writes the fields of s onto r's span in one SetAttributes call,
// after the attributes already in kvs. s is only read.
func (r *Record) apply(s *Settings, kvs []attribute.KeyValue) {
	if !r.span.IsRecording() {
		return
	}
	st := r.client
	set := s.set
	if set&generationOnly != 0 && !r.typ.generationLike() {
		st.Warn("model, usage, cost, completion start and prompt apply to generation and embedding observations only; ignored", "type", r.typ.String())
		set &^= generationOnly
	}
	copts := captureOptions(st)
	keepIn, keepOut := r.in != keepNone, r.out != keepNone
	if set&(FInput|FArgs) != 0 && keepIn {
		// An input given now takes the place of arguments not written yet.
		r.clearBit(inPending)
	}
	if set&FInput != 0 && keepIn {
		kvs = append(kvs, attribute.String(semconv.ObservationInput, capture.String(s.input, copts)))
	}
	if set&FArgs != 0 && keepIn {
		kvs = append(kvs, attribute.String(semconv.ObservationInput, capture.String(argsValue(s.args, r.names(), copts), copts)))
	}
	if set&FOutput != 0 && keepOut {
		kvs = append(kvs, attribute.String(semconv.ObservationOutput, capture.String(s.output, copts)))
	}
	if set&FMetadata != 0 {
		kvs = appendMetadata(kvs, s.metadata, copts)
	}
	if set&FVersion != 0 {
		kvs = append(kvs, attribute.String(semconv.Version, s.version))
	}
	if set&FModel != 0 {
		kvs = append(kvs,
			attribute.String(semconv.ObservationModel, s.model),
			attribute.String(semconv.GenAIRequestModel, s.model))
	}
	if set&FModelParams != 0 {
		kvs = append(kvs, attribute.String(semconv.ObservationModelParameters, capture.JSON(s.modelParams, copts)))
	}
	if set&FUsage != 0 {
		usage := validUsage(st, s.usage)
		kvs = append(kvs, attribute.String(semconv.ObservationUsageDetails, capture.JSON(usage, copts)))
		kvs = appendGenAIUsage(kvs, usage)
	}
	if set&FCost != 0 {
		kvs = append(kvs, attribute.String(semconv.ObservationCostDetails, capture.JSON(s.cost, copts)))
	}
	if set&FCompletionStart != 0 {
		kvs = append(kvs, completionStartAttr(s.completionStart))
	}
	if set&FPrompt != 0 {
		switch {
		case r.typ != tGeneration:
			st.Warn("a prompt applies to generation observations only; ignored", "type", r.typ.String())
		case s.promptName == "" || s.promptVersion < 1:
			st.Warn("a prompt needs a name and a version of at least 1; ignored", "name", s.promptName, "version", s.promptVersion)
		default:
			kvs = append(kvs,
				attribute.String(semconv.ObservationPromptName, s.promptName),
				attribute.Int(semconv.ObservationPromptVersion, s.promptVersion))
		}
	}
	level := ""
	if set&FLevel != 0 {
		if validLevel(s.level) {
			level = s.level
			kvs = append(kvs, attribute.String(semconv.ObservationLevel, level))
		} else {
			st.Warn("unknown level ignored", "level", s.level)
		}
	}
	var statusMessage string
	if set&FStatus != 0 {
		statusMessage = r.masked(s.statusMessage)
		kvs = append(kvs, attribute.String(semconv.ObservationStatusMessage, statusMessage))
	}
	if len(kvs) > 0 {
		r.span.SetAttributes(kvs...)
	}
	if level == semconv.LevelError || set&FStatus != 0 {
		// The error state is the record's, shared by every update, so that
		// a level set in one update and a message in another make one
		// OpenTelemetry status.
		e := r.errState()
		e.mu.Lock()
		if set&FStatus != 0 {
			e.statusMsg = statusMessage
		}
		if level == semconv.LevelError {
			e.errored = true
		}
		errored, msg := e.errored, e.statusMsg
		e.mu.Unlock()
		if errored {
			r.span.SetStatus(codes.Error, msg)
		}
	}
}

// SetTraceIO records in and out as the input and output of r's trace; a
// nil value leaves that side as it is. They are given explicitly, so they
// are recorded whatever the capture switches say, through the mask.
func (r *Record) SetTraceIO(in, out any) {
	if !r.IsRecording() || (in == nil && out == nil) {
		return
	}
	copts := captureOptions(r.client)
	kvs := make([]attribute.KeyValue, 0, 2)
	if in != nil {
		kvs = append(kvs, attribute.String(semconv.TraceInput, capture.String(in, copts)))
	}
	if out != nil {
		kvs = append(kvs, attribute.String(semconv.TraceOutput, capture.String(out, copts)))
	}
	r.span.SetAttributes(kvs...)
}

// SetCompletionStart records t as the time the model began to answer.
func (r *Record) SetCompletionStart(t time.Time) {
	if r.IsRecording() && r.typ.generationLike() {
		r.span.SetAttributes(completionStartAttr(t))
	}
}

func completionStartAttr(t time.Time) attribute.KeyValue {
	return attribute.String(semconv.ObservationCompletionStartTime, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
}

// masked returns msg as every captured text is recorded: through the
// client's masks, cut at its capture limit (LANGFUSE_CAPTURE_MAX_BYTES)
// with a marker, and valid UTF-8, so that an error or status message is
// no larger and no less private than an input.
func (r *Record) masked(msg string) string {
	if r.client == nil {
		return msg
	}
	return capture.String(msg, captureOptions(r.client))
}

// setError marks r failed with msg, masked, and returns what was set.
func (r *Record) setError(msg string) string {
	msg = r.masked(msg)
	e := r.errState()
	e.mu.Lock()
	e.errored, e.statusMsg = true, msg
	e.mu.Unlock()
	r.span.SetAttributes(
		attribute.String(semconv.ObservationLevel, semconv.LevelError),
		attribute.String(semconv.ObservationStatusMessage, msg))
	r.span.SetStatus(codes.Error, msg)
	return msg
}

// appendMetadata flattens m one level deep.
func appendMetadata(kvs []attribute.KeyValue, m map[string]any, copts capture.Options) []attribute.KeyValue {
	for k, v := range m {
		key := semconv.ObservationMetadataPrefix + k
		if copts.RedactsName(k) {
			kvs = append(kvs, attribute.String(key, capture.Redacted))
			continue
		}
		if copts.Mask != nil {
			// A masked value is whatever the mask makes of it: always text.
			kvs = append(kvs, attribute.String(key, capture.String(v, copts)))
			continue
		}
		switch x := v.(type) {
		case string:
			kvs = append(kvs, attribute.String(key, capture.String(x, copts)))
		case bool:
			kvs = append(kvs, attribute.Bool(key, x))
		case int:
			kvs = append(kvs, attribute.Int(key, x))
		case int8:
			kvs = append(kvs, attribute.Int64(key, int64(x)))
		case int16:
			kvs = append(kvs, attribute.Int64(key, int64(x)))
		case int32:
			kvs = append(kvs, attribute.Int64(key, int64(x)))
		case int64:
			kvs = append(kvs, attribute.Int64(key, x))
		case uint8:
			kvs = append(kvs, attribute.Int64(key, int64(x)))
		case uint16:
			kvs = append(kvs, attribute.Int64(key, int64(x)))
		case uint32:
			kvs = append(kvs, attribute.Int64(key, int64(x)))
		default:
			kvs = append(kvs, attribute.String(key, capture.JSON(v, copts)))
		}
	}
	return kvs
}

// genAIUsageKeys are the usage keys, in order of preference, mirrored as
// the GenAI input and output token counts.
var (
	genAIInputKeys  = []string{"input", "input_tokens", "prompt_tokens"}
	genAIOutputKeys = []string{"output", "output_tokens", "completion_tokens"}
)

func appendGenAIUsage(kvs []attribute.KeyValue, u map[string]int) []attribute.KeyValue {
	for _, k := range genAIInputKeys {
		if v, ok := u[k]; ok {
			kvs = append(kvs, attribute.Int(semconv.GenAIUsageInputTokens, v))
			break
		}
	}
	for _, k := range genAIOutputKeys {
		if v, ok := u[k]; ok {
			kvs = append(kvs, attribute.Int(semconv.GenAIUsageOutputTokens, v))
			break
		}
	}
	return kvs
}

// validUsage drops negative counts, which the server would drop too.
func validUsage(st interface{ Warn(string, ...any) }, u map[string]int) map[string]int {
	for k, v := range u {
		if v < 0 {
			st.Warn("negative usage counts dropped", "key", k, "value", v)
			clean := make(map[string]int, len(u))
			for k, v := range u {
				if v >= 0 {
					clean[k] = v
				}
			}
			return clean
		}
	}
	return u
}

// safeError returns err.Error(), or a placeholder when Error panics.
func safeError(err error) (msg string) {
	defer func() {
		if recover() != nil {
			msg = "<panic in " + reflect.TypeOf(err).String() + ".Error>"
		}
	}()
	return err.Error()
}

// errorType names err's type as the exception.type of an event.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.PkgPath() == "" && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

// captureOptions are the capture limits and masks of the client st.
func captureOptions(st *global.State) capture.Options {
	o := capture.Options{MaxBytes: st.MaxBytes, Mask: st.Mask, TextMask: st.TextMask,
		RedactNames: st.RedactNames, KeepNames: st.KeepNames}
	if o.TextMask != nil && o.Mask == nil {
		// With a mask, every metadata value is recorded as captured text
		// rather than as a typed number or bool, so the text mask sees a
		// card number held in an int64 too.
		o.Mask = unchanged
	}
	return o
}

// unchanged is the value mask of a client that has only a text mask.
func unchanged(v any) any { return v }
