package llmhttp

import json "github.com/goccy/go-json"

// Param returns p with v under k, p made when it is nil; p as it is when
// v is absent or null.
func Param(p map[string]any, k string, v json.RawMessage) map[string]any {
	if IsNull(v) {
		return p
	}
	if p == nil {
		p = make(map[string]any, 8)
	}
	p[k] = v
	return p
}

// Params returns p with each of keys that fields holds a value other than
// null for, as Param adds it: the fields of a request body recorded as
// model parameters, as the request wrote them.
func Params(p map[string]any, fields map[string]json.RawMessage, keys ...string) map[string]any {
	for _, k := range keys {
		p = Param(p, k, fields[k])
	}
	return p
}

// systemMessage is the system prompt as the first message of the input.
type systemMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// SystemFirst returns the input of a request that gives its system prompt
// apart from its messages (Anthropic Messages, Bedrock Converse): the
// messages with the system prompt put first as a message of role
// "system" whose content is the system prompt as sent, the way chat
// inputs read in Langfuse. Without a system prompt it is the messages as
// sent; nil when there are neither; both as sent, in an object, when the
// messages are not an array.
func SystemFirst(system, messages json.RawMessage) any {
	if IsNull(system) {
		if IsNull(messages) {
			return nil
		}
		return messages
	}
	var list []json.RawMessage
	if !IsNull(messages) {
		if err := json.Unmarshal(messages, &list); err != nil {
			return map[string]json.RawMessage{"system": system, "messages": messages}
		}
	}
	out := make([]any, 0, len(list)+1)
	out = append(out, systemMessage{Role: "system", Content: system})
	for _, m := range list {
		out = append(out, m)
	}
	return out
}

// AnswerMessage is the recorded output of a chat answer that is one
// message of content blocks: {"role":"assistant","content":[...]}.
type AnswerMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// Answer is content as the message of role, "assistant" when the answer
// names no role.
func Answer(role string, content any) AnswerMessage {
	if role == "" {
		role = "assistant"
	}
	return AnswerMessage{Role: role, Content: content}
}

// ToolInput is the arguments of a tool call, accumulated from a stream's
// pieces, as they are recorded: the JSON they make, or the text that
// arrived when they make none (a call cut off mid-arguments).
func ToolInput(in string) any {
	if json.Valid([]byte(in)) {
		return json.RawMessage(in)
	}
	return in
}
