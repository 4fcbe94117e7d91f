package scores

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Data types of a score, as the Langfuse API spells them.
const (
	Numeric     = "NUMERIC"
	Boolean     = "BOOLEAN"
	Categorical = "CATEGORICAL"
)

// ErrInvalidScore is wrapped by every error that Normalize returns.
var ErrInvalidScore = errors.New("invalid score")

// Score is one score as it is sent. After Normalize, Value is a float64
// (NUMERIC, and BOOLEAN as 0 or 1) or a string (CATEGORICAL) and DataType
// is set.
type Score struct {
	ID            string
	TraceID       string
	ObservationID string
	SessionID     string
	DatasetRunID  string // a score of a whole dataset run, on its own
	Name          string
	Value         any
	DataType      string
	Comment       string
	ConfigID      string
	// Metadata is JSON text of an object, already masked; "" for none.
	Metadata    string
	Environment string

	// EventID identifies the ingestion event that carries the score;
	// Timestamp is when it was made. Both are set by Stamp.
	EventID   string
	Timestamp time.Time
}

// invalid returns an error that wraps ErrInvalidScore and names the score.
func invalid(name, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if name != "" {
		msg = fmt.Sprintf("score %q: %s", name, msg)
	}
	return fmt.Errorf("%w: %s", ErrInvalidScore, msg)
}

// Check reports whether s is a score the Langfuse API takes, as Normalize
// does, and returns its data type, given or inferred, without changing s
// or allocating.
func Check(s *Score) (string, error) {
	if strings.TrimSpace(s.Name) == "" {
		return "", invalid("", "a name is required")
	}
	if s.DatasetRunID != "" {
		if s.TraceID != "" || s.SessionID != "" || s.ObservationID != "" {
			return "", invalid(s.Name, "dataset run id %q goes without a trace, session or observation id", s.DatasetRunID)
		}
	} else if s.TraceID == "" && s.SessionID == "" {
		return "", invalid(s.Name, "a trace id, a session id or a dataset run id is required")
	}
	if s.ObservationID != "" && s.TraceID == "" {
		return "", invalid(s.Name, "observation id %q needs a trace id", s.ObservationID)
	}
	if s.Value == nil {
		return "", invalid(s.Name, "a value is required")
	}
	dt := s.DataType
	if dt == "" {
		dt = infer(s.Value)
		if dt == "" {
			return "", invalid(s.Name, "value of type %T is not a number, a bool or a string", s.Value)
		}
	} else if dt != Numeric && dt != Boolean && dt != Categorical {
		if u := strings.ToUpper(dt); u == Numeric || u == Boolean || u == Categorical {
			dt = u
		} else {
			return "", invalid(s.Name, "data type %q is not NUMERIC, BOOLEAN or CATEGORICAL", s.DataType)
		}
	}
	switch dt {
	case Categorical:
		if _, ok := s.Value.(string); !ok {
			return "", invalid(s.Name, "a CATEGORICAL value must be a string, not %T", s.Value)
		}
	case Boolean:
		if _, ok := s.Value.(bool); ok {
			break
		}
		if f, ok := number(s.Value); !ok || (f != 0 && f != 1) {
			return "", invalid(s.Name, "a BOOLEAN value must be a bool, 0 or 1, not %v", s.Value)
		}
	default:
		f, ok := number(s.Value)
		if !ok {
			return "", invalid(s.Name, "a NUMERIC value must be a number, not %T", s.Value)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", invalid(s.Name, "value %v is not a finite number", f)
		}
	}
	return dt, nil
}

// Normalize checks s as the Langfuse API would (see Check), sets its data
// type, and converts its value to what the API takes: a float64, 0 or 1
// for BOOLEAN, or a string for CATEGORICAL.
func Normalize(s *Score) error {
	dt, err := Check(s)
	if err != nil {
		return err
	}
	switch v := s.Value.(type) {
	case string:
	case bool:
		s.Value = 0.0
		if v {
			s.Value = 1.0
		}
	default:
		f, _ := number(v)
		s.Value = f
	}
	s.DataType = dt
	return nil
}

// infer returns the data type a value implies, "" when none fits.
func infer(v any) string {
	switch v.(type) {
	case bool:
		return Boolean
	case string:
		return Categorical
	}
	if _, ok := number(v); ok {
		return Numeric
	}
	return ""
}

// number returns v as a float64 when it is a number of a Go number kind.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uintptr:
		return float64(x), true
	}
	return 0, false
}

// Stamp gives s an id when it has none, a fresh event id and the time
// now, once, before it is queued: a retry sends the same ids, so the
// server stores the score once.
func Stamp(s *Score) {
	if s.ID == "" {
		s.ID = NewID()
	}
	s.EventID = NewID()
	if s.Timestamp.IsZero() {
		s.Timestamp = time.Now()
	}
}
