package tracing

import (
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/lfhttp"
)

// redactor takes a configuration's credentials out of text that came
// from the network or from another library (see lfhttp.Redactor). The
// zero redactor removes only Authorization values.
type redactor struct{ r lfhttp.Redactor }

func newRedactor(cfg config.Config) redactor { return redactor{lfhttp.NewRedactor(cfg)} }

// longest is the length of the longest credential, what a bounded read
// must go on for so that none is cut in two before it is redacted.
func (r redactor) longest() int { return r.r.Longest() }

// text returns s as valid UTF-8, trimmed, without credentials, and cut to
// at most limit bytes (0: no limit).
func (r redactor) text(s string, limit int) string { return r.r.Text(s, limit) }

// error returns err with credentials taken out of its text; errors.Is
// still finds what err holds.
func (r redactor) error(err error) error { return r.r.Error(err) }
