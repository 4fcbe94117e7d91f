package langfuse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/observe-go/langfuse/prompt"
)

// wirePrompt is the Prompt object of Langfuse's public API, text or chat:
// prompt is a string for a text prompt, a list of chat messages and
// placeholders for a chat prompt.
type wirePrompt struct {
	Name    string          `json:"name"`
	Version int             `json:"version"`
	Type    string          `json:"type"`
	Prompt  json.RawMessage `json:"prompt"`
	Config  json.RawMessage `json:"config"`
	Labels  []string        `json:"labels"`
	Tags    []string        `json:"tags"`
}

// wireEntry is one entry of a chat prompt as Langfuse serves it: a
// message (type "chatmessage", or none in older answers) or a
// placeholder (type "placeholder") with a name.
type wireEntry struct {
	Type    string  `json:"type"`
	Role    string  `json:"role"`
	Content *string `json:"content"`
	Name    string  `json:"name"`
}

// wireChatMessage and wirePlaceholder are the entries of a chat prompt as
// CreatePrompt sends them.
type wireChatMessage struct {
	Type    string `json:"type"`
	Role    string `json:"role"`
	Content string `json:"content"`
}

type wirePlaceholder struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// maxShown bounds what an error quotes of a value from an answer.
const maxShown = 64

// show quotes s, from an answer, cut to maxShown bytes.
func show(s string) string {
	if len(s) > maxShown {
		return strconv.Quote(s[:maxShown]) + "…"
	}
	return strconv.Quote(s)
}

// errNotAPrompt is wrapped by the error of an answer that is JSON but no
// prompt.
var errNotAPrompt = errors.New("the answer is not a prompt")

// prompt returns w as a Prompt, or an error wrapping errNotAPrompt that
// says what is missing or wrong.
func (w *wirePrompt) prompt() (*prompt.Prompt, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", errNotAPrompt, fmt.Sprintf(format, args...))
	}
	if w.Name == "" {
		return nil, bad("it has no name")
	}
	if w.Version < 1 {
		return nil, bad("version %d is not a version", w.Version)
	}
	body := bytes.TrimSpace(w.Prompt)
	typ := w.Type
	if typ == "" && len(body) > 0 {
		// Older answers leave the type to the shape of the prompt.
		switch body[0] {
		case '"':
			typ = string(prompt.TypeText)
		case '[':
			typ = string(prompt.TypeChat)
		}
	}
	p := &prompt.Prompt{Name: w.Name, Version: w.Version, Config: rawOrNil(w.Config), Labels: w.Labels, Tags: w.Tags}
	switch prompt.Type(typ) {
	case prompt.TypeText:
		p.Type = prompt.TypeText
		if err := json.Unmarshal(body, &p.Text); err != nil {
			return nil, bad("the prompt of a text prompt is not a string")
		}
	case prompt.TypeChat:
		p.Type = prompt.TypeChat
		var entries []wireEntry
		if err := json.Unmarshal(body, &entries); err != nil {
			return nil, bad("the prompt of a chat prompt is not a list of messages")
		}
		p.Messages = make([]prompt.Message, len(entries))
		for i, e := range entries {
			switch e.Type {
			case "placeholder":
				if e.Name == "" {
					return nil, bad("chat entry %d is a placeholder without a name", i)
				}
				p.Messages[i] = prompt.Message{Placeholder: e.Name}
			case "", "chatmessage":
				if e.Role == "" || e.Content == nil {
					return nil, bad("chat message %d has no role or no content", i)
				}
				p.Messages[i] = prompt.Message{Role: e.Role, Content: *e.Content}
			default:
				return nil, bad("chat entry %d is of type %s, neither a message nor a placeholder", i, show(e.Type))
			}
		}
	default:
		return nil, bad("its type %s is neither %q nor %q", show(typ), prompt.TypeText, prompt.TypeChat)
	}
	return p, nil
}
