package observe

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/attrs"
	"github.com/observe-go/langfuse/internal/global"
)

// apply writes the fields of op onto the span in one SetAttributes call,
// after the attributes already in kvs.
func (o *Observation) apply(op *options, kvs []attribute.KeyValue) {
	if !o.span.IsRecording() {
		return
	}
	// op is read only: a wrapper shares its options between calls.
	set := op.set
	if set&generationOnly != 0 && !o.typ.generationLike() {
		global.WarnOnce("model, usage, cost, completion start and prompt apply to generation and embedding observations only; ignored", "type", string(o.typ))
		set &^= generationOnly
	}
	copts := o.st.Capture
	if set.has(fInput) && o.captureIn {
		kvs = append(kvs, attribute.String(attrs.ObservationInput, capture.String(op.input, copts)))
	}
	if set.has(fArgs) && o.captureIn {
		kvs = append(kvs, attribute.String(attrs.ObservationInput, capture.String(o.argsValue(op.args), copts)))
	}
	if set.has(fOutput) && o.captureOut {
		kvs = append(kvs, attribute.String(attrs.ObservationOutput, capture.String(op.output, copts)))
	}
	if set.has(fMetadata) {
		kvs = appendMetadata(kvs, op.metadata, copts)
	}
	if set.has(fVersion) {
		kvs = append(kvs, attribute.String(attrs.Version, op.version))
	}
	if set.has(fModel) {
		kvs = append(kvs,
			attribute.String(attrs.ObservationModel, op.model),
			attribute.String(attrs.GenAIRequestModel, op.model))
	}
	if set.has(fModelParams) {
		kvs = append(kvs, attribute.String(attrs.ObservationModelParameters, capture.JSON(op.modelParams, copts)))
	}
	if set.has(fUsage) {
		usage := validUsage(op.usage)
		kvs = append(kvs, attribute.String(attrs.ObservationUsageDetails, capture.JSON(usage, copts)))
		kvs = appendGenAIUsage(kvs, usage)
	}
	if set.has(fCost) {
		kvs = append(kvs, attribute.String(attrs.ObservationCostDetails, capture.JSON(op.cost, copts)))
	}
	if set.has(fCompletionStart) {
		kvs = append(kvs, attribute.String(attrs.ObservationCompletionStartTime,
			strconv.Quote(op.completionStart.UTC().Format(time.RFC3339Nano))))
	}
	if set.has(fPrompt) {
		switch {
		case o.typ != TypeGeneration:
			global.WarnOnce("a prompt applies to generation observations only; ignored", "type", string(o.typ))
		case op.promptName == "" || op.promptVersion < 1:
			global.WarnOnce("a prompt needs a name and a version of at least 1; ignored", "name", op.promptName, "version", op.promptVersion)
		default:
			kvs = append(kvs,
				attribute.String(attrs.ObservationPromptName, op.promptName),
				attribute.Int(attrs.ObservationPromptVersion, op.promptVersion))
		}
	}
	var level Level
	if set.has(fLevel) {
		if op.level.Valid() {
			level = op.level
			kvs = append(kvs, attribute.String(attrs.ObservationLevel, string(level)))
		} else {
			global.WarnOnce("unknown level ignored", "level", string(op.level))
		}
	}
	var statusMessage string
	if set.has(fStatus) {
		statusMessage = o.masked(op.statusMessage)
		kvs = append(kvs, attribute.String(attrs.ObservationStatusMessage, statusMessage))
	}
	if len(kvs) > 0 {
		o.span.SetAttributes(kvs...)
	}
	if level == LevelError || set.has(fStatus) {
		o.mu.Lock()
		if set.has(fStatus) {
			o.statusMsg = statusMessage
		}
		if level == LevelError {
			o.errored = true
		}
		errored, msg := o.errored, o.statusMsg
		o.mu.Unlock()
		if errored {
			o.span.SetStatus(codes.Error, msg)
		}
	}
}

// masked returns msg through the client's mask, if there is one, so that
// error and status messages are redacted like inputs and outputs.
func (o *Observation) masked(msg string) string {
	if o.st == nil || o.st.Capture.Mask == nil {
		return msg
	}
	return capture.String(msg, o.st.Capture)
}

// setError marks the observation failed with msg, masked.
func (o *Observation) setError(msg string) string {
	msg = o.masked(msg)
	o.mu.Lock()
	o.errored, o.statusMsg = true, msg
	o.mu.Unlock()
	o.span.SetAttributes(
		attribute.String(attrs.ObservationLevel, attrs.LevelError),
		attribute.String(attrs.ObservationStatusMessage, msg))
	o.span.SetStatus(codes.Error, msg)
	return msg
}

// argsValue shapes a function's arguments as the input.
func (o *Observation) argsValue(args []any) any {
	return argsValue(args, o.argNames, o.st.Capture)
}

// inputOf is argsValue for the arguments of one call. It never keeps args
// itself, so that the caller's variadic slice can stay on its stack.
func inputOf(args []any, names []string, opts capture.Options) any {
	if len(args) == 1 && len(names) == 0 {
		return args[0]
	}
	return argsValue(slices.Clone(args), names, opts)
}

// argsValue shapes args as an input: one argument as itself, several as
// an array, or an object keyed by names when there are any.
func argsValue(args []any, names []string, opts capture.Options) any {
	if len(names) == 0 {
		if len(args) == 1 {
			return args[0]
		}
		return args
	}
	return namedArgs{names: names, args: args, opts: opts}
}

// namedArgs is a function's arguments as a JSON object whose keys keep the
// order of the parameters. Each value is encoded, and masked, on its own
// with capture's limits.
type namedArgs struct {
	names []string
	args  []any
	opts  capture.Options
}

func (n namedArgs) MarshalJSON() ([]byte, error) {
	var b []byte
	b = append(b, '{')
	for i, a := range n.args {
		if i > 0 {
			b = append(b, ',')
		}
		name := "arg" + strconv.Itoa(i)
		if i < len(n.names) && n.names[i] != "" {
			name = n.names[i]
		}
		b = append(b, capture.JSON(name, capture.Options{})...)
		b = append(b, ':')
		b = append(b, capture.JSON(a, n.opts)...)
	}
	return append(b, '}'), nil
}

// appendMetadata flattens m one level deep.
func appendMetadata(kvs []attribute.KeyValue, m map[string]any, copts capture.Options) []attribute.KeyValue {
	for k, v := range m {
		key := attrs.ObservationMetadataPrefix + k
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
			kvs = append(kvs, attribute.Int(attrs.GenAIUsageInputTokens, v))
			break
		}
	}
	for _, k := range genAIOutputKeys {
		if v, ok := u[k]; ok {
			kvs = append(kvs, attribute.Int(attrs.GenAIUsageOutputTokens, v))
			break
		}
	}
	return kvs
}

// validUsage drops negative counts, which the server would drop too.
func validUsage(u map[string]int) map[string]int {
	for k, v := range u {
		if v < 0 {
			global.WarnOnce("negative usage counts dropped", "key", k, "value", v)
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
		if r := recover(); r != nil {
			msg = fmt.Sprintf("<panic in %T.Error>", err)
		}
	}()
	return err.Error()
}
