package prompt

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Type is the kind of a prompt: a single text, or a list of chat
// messages.
type Type string

// The prompt types Langfuse knows.
const (
	TypeText Type = "text"
	TypeChat Type = "chat"
)

// Message is one entry of a chat prompt: a message with a role and
// content, or, when Placeholder is set, a placeholder that CompileChat
// replaces with a list of messages.
//
// A Message encodes as JSON in the chat format of the model APIs and of
// Langfuse, {"role": ..., "content": ...}, so compiled messages recorded
// as a generation's input show as a conversation.
type Message struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content"`
	// Placeholder is the name of the list of messages this entry stands
	// for; Role and Content are empty then.
	Placeholder string `json:"placeholder,omitempty"`
}

// Prompt is one version of a prompt, as Langfuse serves it, or the
// fallback a caller gave.
type Prompt struct {
	Name     string
	Version  int
	Type     Type
	Text     string    // the template of a TypeText prompt
	Messages []Message // the templates of a TypeChat prompt
	// Config is the prompt's config as JSON (model, temperature, tools,
	// ...), or nil when it has none; ConfigAs decodes it.
	Config json.RawMessage
	Labels []string
	Tags   []string
	// IsFallback marks the fallback given by the caller (Fallback) rather
	// than a version from Langfuse. A fallback is never linked to a
	// generation.
	IsFallback bool
}

// ErrMissingVariable is wrapped by the error of Compile and CompileChat
// when the template uses a variable that vars does not hold, and by
// CompileChat's when a placeholder was not given.
var ErrMissingVariable = errors.New("prompt: missing variable")

// ErrWrongType is wrapped by the error of Compile on a chat prompt and of
// CompileChat on a text prompt.
var ErrWrongType = errors.New("prompt: wrong prompt type")

// Compile returns the text of a text prompt with its variables replaced by
// vars (see the package doc for how values are written). A variable that
// vars lacks stays in the text as written and is named in the error,
// which wraps ErrMissingVariable; the text is returned all the same.
func (p *Prompt) Compile(vars map[string]any) (string, error) {
	if p == nil {
		return "", fmt.Errorf("%w: nil prompt", ErrWrongType)
	}
	if p.Type == TypeChat {
		return "", fmt.Errorf("%w: %q is a chat prompt; use CompileChat", ErrWrongType, p.Name)
	}
	var missing []string
	out := compile(p.Text, vars, &missing)
	return out, missingError(p.Name, missing)
}

// CompileChat returns the messages of a chat prompt: each placeholder
// replaced by the messages placeholders holds under its name, then the
// variables of every message (those of the placeholders' messages too)
// replaced by vars. A placeholder or variable that was not given stays
// as it was (a placeholder as a Message with Placeholder set) and is
// named in the error, which wraps ErrMissingVariable; the messages are
// returned all the same.
func (p *Prompt) CompileChat(vars map[string]any, placeholders map[string][]Message) ([]Message, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil prompt", ErrWrongType)
	}
	if p.Type != TypeChat {
		return nil, fmt.Errorf("%w: %q is a text prompt; use Compile", ErrWrongType, p.Name)
	}
	var missing []string
	out := make([]Message, 0, len(p.Messages))
	for _, m := range p.Messages {
		if m.Placeholder == "" {
			out = append(out, Message{Role: m.Role, Content: compile(m.Content, vars, &missing)})
			continue
		}
		given, ok := placeholders[m.Placeholder]
		if !ok {
			missing = append(missing, "placeholder "+m.Placeholder)
			out = append(out, m)
			continue
		}
		for _, g := range given {
			g.Content = compile(g.Content, vars, &missing)
			out = append(out, g)
		}
	}
	return out, missingError(p.Name, missing)
}

// Variables returns the names of the variables the prompt's templates
// use, each once, in the order they first appear (placeholders are not
// variables).
func (p *Prompt) Variables() []string {
	if p == nil {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	add := func(text string) {
		for _, v := range scan(text) {
			if !seen[v.name] {
				seen[v.name] = true
				names = append(names, v.name)
			}
		}
	}
	if p.Type == TypeChat {
		for _, m := range p.Messages {
			add(m.Content)
		}
	} else {
		add(p.Text)
	}
	return names
}

// ConfigAs decodes the prompt's config into a T, e.g. a struct with the
// model and temperature a team keeps beside the prompt. A prompt without
// a config gives T's zero value.
func ConfigAs[T any](p *Prompt) (T, error) {
	var v T
	if p == nil || len(p.Config) == 0 || string(p.Config) == "null" {
		return v, nil
	}
	if err := json.Unmarshal(p.Config, &v); err != nil {
		name := ""
		if p != nil {
			name = p.Name
		}
		return v, fmt.Errorf("prompt %q: config: %w", name, err)
	}
	return v, nil
}

// Option chooses which version of a prompt to get and how it is cached.
type Option interface{ apply(Settings) Settings }

// optionFunc changes a copy of the Settings it is given: by value, so
// that Resolve's Settings stays on its caller's stack and a call that
// resolves options allocates nothing.
type optionFunc func(Settings) Settings

func (f optionFunc) apply(s Settings) Settings { return f(s) }

// Settings is what a list of Options chose; the client that fetches
// prompts reads it through Resolve. Its zero value asks for the version
// labelled production, cached for the client's default TTL.
type Settings struct {
	Label       string        // "" when Version is set
	Version     int           // 0 when a label is asked for
	CacheTTL    time.Duration // meaningful when HasCacheTTL
	HasCacheTTL bool
	Fallback    *Prompt // nil when none was given
}

// DefaultLabel is the label asked for when neither Label nor Version is
// given.
const DefaultLabel = "production"

// Resolve applies opts in order, later ones winning, and fills in the
// default label. It does not allocate.
func Resolve(opts ...Option) Settings {
	if len(opts) == 0 {
		return Settings{Label: DefaultLabel}
	}
	var s Settings
	for _, o := range opts {
		if o != nil {
			s = o.apply(s)
		}
	}
	if s.Version == 0 && s.Label == "" {
		s.Label = DefaultLabel
	}
	return s
}

// Version asks for version n of the prompt, whatever its labels.
func Version(n int) Option {
	return optionFunc(func(s Settings) Settings { s.Version, s.Label = n, ""; return s })
}

// Label asks for the version that carries label l ("production" by
// default; "latest" is the newest version).
func Label(l string) Option {
	return optionFunc(func(s Settings) Settings { s.Label, s.Version = l, 0; return s })
}

// CacheTTL sets how long a fetched prompt is served from memory before it
// is refreshed in the background. 0 fetches on every call. Without it the
// client's default applies: LANGFUSE_PROMPT_CACHE_DEFAULT_TTL_SECONDS, else
// 60 seconds.
func CacheTTL(d time.Duration) Option {
	return optionFunc(func(s Settings) Settings { s.CacheTTL, s.HasCacheTTL = max(d, 0), true; return s })
}

// Fallback is served, marked IsFallback, when no version of the prompt
// was ever fetched and fetching fails; without it that failure is an
// error.
func Fallback(p Prompt) Option {
	fb := p
	fb.IsFallback = true
	return optionFunc(func(s Settings) Settings { s.Fallback = &fb; return s })
}

// Draft is a new version of a prompt, for Client.CreatePrompt. Its Type
// follows from which of Text and Messages is set when left "".
type Draft struct {
	Name          string
	Type          Type
	Text          string
	Messages      []Message
	Config        any // encoded as JSON; nil for none
	Labels, Tags  []string
	CommitMessage string
}
