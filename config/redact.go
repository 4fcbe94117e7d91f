package config

import (
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
)

// redactedText replaces the secret key wherever a Config is shown.
const redactedText = "[REDACTED]"

// shown is a Config as it may be shown: the same fields, the secret key
// replaced, and none of Config's methods, so fmt prints it field by field.
type shown Config

func (c Config) shown() shown {
	if c.SecretKey != "" {
		c.SecretKey = redactedText
	}
	return shown(c)
}

// String returns c with every field named and the secret key replaced by
// "[REDACTED]", so that a Config can be printed and logged safely.
func (c Config) String() string {
	return fmt.Sprintf("%+v", c.shown())
}

// GoString returns c as Go syntax for %#v, the secret key replaced by
// "[REDACTED]".
func (c Config) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", c.shown()), "config.shown{", "config.Config{", 1)
}

// Format makes every fmt verb show c without its secret key: %v and %+v
// print the fields as fmt prints a struct, %#v as GoString, %s as String
// and %q as String quoted.
func (c Config) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, c.GoString())
	case verb == 's':
		_, _ = io.WriteString(f, c.String())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(c.String()))
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), c.shown())
	}
}

// LogValue makes log/slog show c as a group of its fields, keyed by their
// names, with the secret key replaced by "[REDACTED]". Package capture
// uses it too, so a Config recorded on an observation hides its secret.
func (c Config) LogValue() slog.Value {
	v := reflect.ValueOf(c.shown())
	t := v.Type()
	attrs := make([]slog.Attr, 0, t.NumField())
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			attrs = append(attrs, slog.Any(f.Name, v.Field(i).Interface()))
		}
	}
	return slog.GroupValue(attrs...)
}
