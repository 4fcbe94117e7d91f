package config

import "errors"

// ErrInvalid is wrapped by every error that [FromEnv], [FromLookup] and
// [Config.Validate] return, so callers can test for a configuration
// problem with errors.Is.
var ErrInvalid = errors.New("invalid langfuse configuration")

// invalidError reports one bad setting: the variable or field it came
// from, the offending value as the user wrote it, and what is wrong.
type invalidError struct {
	name   string // environment variable or Config field
	value  string // already formatted for display; "" when not shown
	reason string
}

func (e *invalidError) Error() string {
	if e.value == "" {
		return e.name + ": " + e.reason
	}
	return e.name + "=" + e.value + ": " + e.reason
}

func (e *invalidError) Unwrap() error { return ErrInvalid }
