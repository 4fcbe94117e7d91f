package config

import "errors"

// ErrInvalid is wrapped by every error that [FromEnv], [FromLookup] and
// [Config.Validate] return, so callers can test for a configuration
// problem with errors.Is.
var ErrInvalid = errors.New("invalid langfuse configuration")

// ErrDestination is wrapped, besides [ErrInvalid], by the error for a bad
// value of a setting that chooses where traces go or whether they go
// anywhere: LANGFUSE_BASE_URL, the legacy LANGFUSE_HOST and
// LANGFUSE_TRACING_ENABLED (BaseURL, for Validate). Such a value is never
// replaced by its default, which would send the program's data, and its
// keys, somewhere it did not point them: [FromLookup] leaves BaseURL
// empty, or TracingEnabled false, instead.
var ErrDestination = errors.New("invalid langfuse destination")

// invalidError reports one bad setting: the variable or field it came
// from, the offending value as the user wrote it, and what is wrong.
type invalidError struct {
	name   string // environment variable or Config field
	value  string // already formatted for display; "" when not shown
	reason string
	dest   bool // the setting chooses where traces go: wrap ErrDestination too
}

func (e *invalidError) Error() string {
	if e.value == "" {
		return e.name + ": " + e.reason
	}
	return e.name + "=" + e.value + ": " + e.reason
}

func (e *invalidError) Unwrap() []error {
	if e.dest {
		return []error{ErrInvalid, ErrDestination}
	}
	return []error{ErrInvalid}
}
