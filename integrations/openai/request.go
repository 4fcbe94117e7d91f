package langfuseopenai

import (
	"bytes"
	"encoding/json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// Request reads the model, parameters and input of a request body. Every
// top-level field the request sets becomes a model parameter, except the
// model, the prompt itself and the fields that only steer the transport
// (stream, stream_options) or are recorded elsewhere.
func (provider) Request(op llmhttp.Operation, body []byte) llmhttp.Request {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return llmhttp.Request{Input: clip(body)}
	}
	var r llmhttp.Request
	if s, ok := jsonString(fields["model"]); ok {
		r.Model = s
	}
	switch op.Kind {
	case kindChat:
		if m := fields["messages"]; len(m) > 0 {
			r.Input = m
		}
	case kindResponses:
		r.Input = responsesInput(fields["instructions"], fields["input"])
		for _, k := range [...]string{"previous_response_id", "conversation"} {
			if v := paramValue(fields[k]); v != nil {
				r.Metadata = withEntry(r.Metadata, k, v)
			}
		}
		if id, ok := jsonString(lookup(fields["prompt"], "id")); ok {
			r.Metadata = withEntry(r.Metadata, "prompt_id", id)
		}
	case kindEmbeddings:
		r.Input = inputValue(fields["input"])
	}
	skip := notParams[op.Kind]
	for k, raw := range fields {
		if skip[k] || notParams[kindAny][k] {
			continue
		}
		addParam(&r.Params, k, raw)
	}
	return r
}

// notParams are the request fields that are not model parameters, by
// operation kind: the prompt, what is recorded as metadata, and what
// only steers the transport. A predicted output is as long as the answer.
var notParams = [...]map[string]bool{
	kindAny:        {"model": true, "stream": true, "stream_options": true, "metadata": true},
	kindChat:       {"messages": true, "prediction": true},
	kindResponses:  {"input": true, "instructions": true, "prompt": true, "previous_response_id": true, "conversation": true},
	kindEmbeddings: {"input": true},
}

// addParam adds the model parameter k, shaped as Langfuse shows model
// parameters: strings, numbers, booleans and lists of strings. Tools
// offered become their names; structured values their essentials or,
// failing that, their JSON text.
func addParam(params *map[string]any, k string, raw json.RawMessage) {
	set := func(k string, v any) {
		if v != nil {
			*params = withEntry(*params, k, v)
		}
	}
	switch k {
	case "tools", "functions":
		if names := toolNames(raw); len(names) > 0 {
			set(k, names)
		}
	case "tool_choice", "function_call":
		set(k, toolChoice(raw))
	case "response_format":
		if t, ok := jsonString(lookup(raw, "type")); ok {
			set(k, t)
		} else {
			set(k, paramValue(raw))
		}
	case "text": // Responses: text.format is the response format
		if t, ok := jsonString(lookup(lookup(raw, "format"), "type")); ok {
			set("response_format", t)
		}
		if v, ok := jsonString(lookup(raw, "verbosity")); ok {
			set("verbosity", v)
		}
	case "reasoning": // Responses: {"effort": ..., "summary": ...}
		if v, ok := jsonString(lookup(raw, "effort")); ok {
			set("reasoning_effort", v)
		}
		if v, ok := jsonString(lookup(raw, "summary")); ok {
			set("reasoning_summary", v)
		}
	default:
		set(k, paramValue(raw))
	}
}

// paramValue returns a string, number or boolean as it is, a list of
// strings as []string, and anything else as its compact JSON text; nil
// for null or nothing.
func paramValue(raw json.RawMessage) any {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		return nil
	}
	switch v := v.(type) {
	case string, float64, bool:
		return v
	case []any:
		ss := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return compact(raw)
			}
			ss = append(ss, s)
		}
		return ss
	}
	return compact(raw)
}

// toolNames returns the names of the tools offered: a function's name,
// or the type of a built-in tool (web_search, file_search, ...).
func toolNames(raw json.RawMessage) []string {
	var tools []struct {
		Type     string `json:"type"`
		Name     string `json:"name"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
		Custom struct {
			Name string `json:"name"`
		} `json:"custom"`
	}
	if json.Unmarshal(raw, &tools) != nil {
		return nil
	}
	names := make([]string, 0, len(tools))
	for _, t := range tools {
		switch {
		case t.Function.Name != "":
			names = append(names, t.Function.Name)
		case t.Custom.Name != "":
			names = append(names, t.Custom.Name)
		case t.Name != "":
			names = append(names, t.Name)
		case t.Type != "":
			names = append(names, t.Type)
		}
	}
	return names
}

// toolChoice returns "auto", "none", "required" as they are, and a choice
// of one tool as that tool's name.
func toolChoice(raw json.RawMessage) any {
	if s, ok := jsonString(raw); ok {
		return s
	}
	var c struct {
		Type     string `json:"type"`
		Name     string `json:"name"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return paramValue(raw)
	}
	switch {
	case c.Function.Name != "":
		return c.Function.Name
	case c.Name != "":
		return c.Name
	case c.Type != "":
		return c.Type
	}
	return paramValue(raw)
}

// responsesInput is the input of a Responses call as chat messages, the
// instructions first as the system message: [{"role":"system",...},
// ...input]. Without instructions the input is recorded as it is.
func responsesInput(instructions, input json.RawMessage) any {
	instr, hasInstr := jsonString(instructions)
	if !hasInstr || instr == "" {
		return inputValue(input)
	}
	sys, _ := json.Marshal(chatMessage{Role: "system", Content: &instr})
	var b bytes.Buffer
	b.WriteByte('[')
	b.Write(sys)
	switch in := bytes.TrimSpace(input); {
	case len(in) == 0 || bytes.Equal(in, []byte("null")):
	case in[0] == '[':
		if rest := bytes.TrimSpace(in[1:]); len(rest) > 0 && rest[0] != ']' {
			b.WriteByte(',')
		}
		b.Write(in[1:])
		return json.RawMessage(b.Bytes())
	case in[0] == '"':
		var s string
		_ = json.Unmarshal(in, &s)
		user, _ := json.Marshal(chatMessage{Role: "user", Content: &s})
		b.WriteByte(',')
		b.Write(user)
	default:
		b.WriteByte(',')
		b.Write(in)
	}
	b.WriteByte(']')
	return json.RawMessage(b.Bytes())
}

// inputValue is a JSON string as its text, which Langfuse shows as it
// is, and any other JSON value as it is; nil for nothing.
func inputValue(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	if s, ok := jsonString(raw); ok {
		return s
	}
	return raw
}
