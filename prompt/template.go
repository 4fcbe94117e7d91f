package prompt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// variable is one {{name}} in a template: its trimmed name and where the
// braces start and end.
type variable struct {
	name       string
	start, end int // text[start:end] is "{{ name }}"
}

// nextVariable finds the first variable at or after from: the first "{{",
// then the first "}}" after it, as the Python SDK reads templates. It
// reports false when there is none.
func nextVariable(text string, from int) (variable, bool) {
	open := strings.Index(text[from:], "{{")
	if open < 0 {
		return variable{}, false
	}
	open += from
	closeAt := strings.Index(text[open+2:], "}}")
	if closeAt < 0 {
		return variable{}, false
	}
	closeAt += open + 2
	return variable{name: strings.TrimSpace(text[open+2 : closeAt]), start: open, end: closeAt + 2}, true
}

// scan returns the variables of text in order.
func scan(text string) []variable {
	var out []variable
	for at := 0; at < len(text); {
		v, ok := nextVariable(text, at)
		if !ok {
			break
		}
		out = append(out, v)
		at = v.end
	}
	return out
}

// compile replaces the variables of text found in vars, keeps the others
// as written and appends their names to missing. Its cost is linear in
// the length of text and of what it writes.
func compile(text string, vars map[string]any, missing *[]string) string {
	at := 0
	var b strings.Builder
	for at < len(text) {
		v, ok := nextVariable(text, at)
		if !ok {
			break
		}
		if b.Cap() == 0 {
			b.Grow(len(text))
		}
		b.WriteString(text[at:v.start])
		if val, ok := vars[v.name]; ok {
			b.WriteString(format(val))
		} else {
			b.WriteString(text[v.start:v.end])
			*missing = append(*missing, v.name)
		}
		at = v.end
	}
	if at == 0 {
		return text
	}
	b.WriteString(text[at:])
	return b.String()
}

// format is the text a variable's value is written as.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case fmt.Stringer:
		return x.String()
	case error:
		return x.Error()
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // a prompt is not HTML: "<" stays "<"
	if enc.Encode(v) == nil {
		return strings.TrimSuffix(b.String(), "\n")
	}
	return fmt.Sprint(v)
}

// missingError reports the missing names of prompt name, each once, or
// nil when there are none.
func missingError(name string, missing []string) error {
	if len(missing) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(missing))
	uniq := missing[:0]
	for _, m := range missing {
		if !seen[m] {
			seen[m] = true
			uniq = append(uniq, m)
		}
	}
	return fmt.Errorf("%w: prompt %q needs %s", ErrMissingVariable, name, strings.Join(uniq, ", "))
}
