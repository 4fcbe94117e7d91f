package config

import (
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// FromEnv returns [Default] overlaid with the LANGFUSE_* variables of the
// process environment. See [FromLookup] for the rules.
func FromEnv() (Config, error) {
	return FromLookup(os.LookupEnv)
}

// FromLookup returns [Default] overlaid with the variables that lookup
// finds; a nil lookup finds none. Every value has surrounding white space
// trimmed, and a variable that is then empty counts as unset, keys
// included: a key of only spaces is no key. Booleans accept true/false,
// 1/0, yes/no and on/off in any case; durations are seconds and may be
// fractional. LANGFUSE_BASE_URL wins over the legacy LANGFUSE_HOST when
// both are set.
//
// FromLookup reports every bad variable at once, joined, each error
// naming the variable and its value and wrapping [ErrInvalid]; a base URL
// is shown with the password of any user info redacted. Only one of
// LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY set is an error that names
// the missing one. Even then the returned Config holds every valid value
// and the default in place of each bad one, and passes [Config.Validate],
// with three exceptions. A lone key stays as it was given (see
// [Config.KeysPartial]). A setting that chooses where traces go fails
// closed, with an error that also wraps [ErrDestination]: a bad
// LANGFUSE_BASE_URL or LANGFUSE_HOST leaves BaseURL empty, which no
// exporter sends to and Validate reports, never the default (the bad
// LANGFUSE_BASE_URL is not replaced by LANGFUSE_HOST either), and a bad
// LANGFUSE_TRACING_ENABLED turns tracing off. And a bad
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED turns input and output
// capture off, not on: it may have meant "off", and capture records the
// program's data. It is no destination, so its error wraps ErrInvalid
// alone and tracing goes on, without inputs and outputs.
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	p := parser{lookup: lookup, cfg: Default()}
	c := &p.cfg
	p.str(EnvPublicKey, &c.PublicKey)
	p.str(EnvSecretKey, &c.SecretKey)
	p.keyPair()
	p.baseURL(&c.BaseURL)
	p.switchOff(EnvTracingEnabled, &c.TracingEnabled, "tracing is off", true)
	p.environment(&c.Environment)
	p.str(EnvRelease, &c.Release)
	p.sampleRate(&c.SampleRate)
	p.intIn(EnvFlushAt, flushAtLimit, &c.FlushAt)
	p.seconds(EnvFlushInterval, flushIntervalLimit, &c.FlushInterval)
	p.seconds(EnvTimeout, timeoutLimit, &c.Timeout)
	p.bool(EnvDebug, &c.Debug)
	p.switchOff(EnvIOCaptureEnabled, &c.IOCaptureEnabled, "input and output capture is off", false)
	p.intIn(EnvCaptureMaxBytes, captureMaxLimit, &c.CaptureMaxBytes)
	p.intIn(EnvMaxQueueSize, queueLimit, &c.MaxQueueSize)
	p.exportMode(&c.ExportMode)
	p.bool(EnvGzip, &c.Gzip)
	p.seconds(EnvPromptCacheTTL, promptCacheTTLLimit, &c.PromptCacheTTL)
	return p.cfg, errors.Join(p.errs...)
}

// parser overlays variables on cfg one at a time and collects an error
// for each bad one, leaving the default in place.
type parser struct {
	lookup func(string) (string, bool)
	cfg    Config
	errs   []error
}

// get returns the raw value of name for error messages, the trimmed value
// to parse, and whether the variable is set to something non-blank.
func (p *parser) get(name string) (raw, v string, ok bool) {
	if p.lookup == nil {
		return "", "", false
	}
	raw, ok = p.lookup(name)
	v = strings.TrimSpace(raw)
	return raw, v, ok && v != ""
}

func (p *parser) fail(name, raw, reason string) {
	p.errs = append(p.errs, &invalidError{name: name, value: strconv.Quote(raw), reason: reason})
}

func (p *parser) str(name string, dst *string) {
	if _, v, ok := p.get(name); ok {
		*dst = v
	}
}

// keyPair reports the missing key when only one of the two is set. The
// key that is set stays in the Config, so that the Config does not look
// like one without keys, which prints traces to the console.
func (p *parser) keyPair() {
	if err := missingKey(p.cfg, EnvPublicKey, EnvSecretKey); err != nil {
		p.errs = append(p.errs, err)
	}
}

func (p *parser) bool(name string, dst *bool) {
	raw, v, ok := p.get(name)
	if !ok {
		return
	}
	if b, ok := parseBool(v); ok {
		*dst = b
		return
	}
	p.fail(name, raw, reasonBool)
}

// switchOff reads a boolean switch that fails closed: a value that is not
// a boolean may have meant "off", so it turns the switch off rather than
// leave the default on, and the error says so with off ("tracing is
// off"). dest marks a switch of whether traces go anywhere, whose error
// wraps ErrDestination too.
func (p *parser) switchOff(name string, dst *bool, off string, dest bool) {
	raw, v, ok := p.get(name)
	if !ok {
		return
	}
	if b, ok := parseBool(v); ok {
		*dst = b
		return
	}
	*dst = false
	p.errs = append(p.errs, &invalidError{name: name, value: strconv.Quote(raw), reason: reasonBool + "; " + off, dest: dest})
}

const reasonBool = "not a boolean (true/false, 1/0, yes/no, on/off)"

// parseBool parses the spellings of a boolean that variables accept, in
// any case.
func parseBool(v string) (b, ok bool) {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on":
		return true, true
	case "false", "0", "no", "off":
		return false, true
	}
	return false, false
}

func (p *parser) intIn(name string, l intLimit, dst *int) {
	raw, v, ok := p.get(name)
	if !ok {
		return
	}
	// Atoi reports overflow as an error, so no value wraps around.
	n, err := strconv.Atoi(v)
	if err != nil || !l.ok(n) {
		p.fail(name, raw, l.reason())
		return
	}
	*dst = n
}

// seconds parses a possibly fractional number of seconds, rounded to the
// nearest nanosecond, in the range l.
func (p *parser) seconds(name string, l durationLimit, dst *time.Duration) {
	raw, v, ok := p.get(name)
	if !ok {
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	// The range is checked on the float, before any conversion can
	// overflow; NaN fails every comparison.
	if err != nil || !(f >= l.min.Seconds() && f <= l.max.Seconds()) {
		p.fail(name, raw, l.reason())
		return
	}
	*dst = time.Duration(math.Round(f * float64(time.Second)))
}

func (p *parser) sampleRate(dst *float64) {
	raw, v, ok := p.get(EnvSampleRate)
	if !ok {
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !validSampleRate(f) {
		p.fail(EnvSampleRate, raw, reasonSampleRate)
		return
	}
	*dst = f
}

func (p *parser) environment(dst *string) {
	raw, v, ok := p.get(EnvEnvironment)
	if !ok {
		return
	}
	if r := checkEnvironment(v); r != "" {
		p.fail(EnvEnvironment, raw, r)
		return
	}
	*dst = v
}

// baseURL reads LANGFUSE_BASE_URL, or LANGFUSE_HOST when the former is
// unset, and blames whichever it read. A bad URL fails closed: it leaves
// dst empty, not the default, so that traces meant for the program's own
// server never go to Langfuse Cloud instead.
func (p *parser) baseURL(dst *string) {
	name := EnvBaseURL
	raw, v, ok := p.get(name)
	if !ok {
		name = EnvHost
		if raw, v, ok = p.get(name); !ok {
			return
		}
	}
	v = strings.TrimRight(v, "/")
	if r := checkBaseURL(v); r != "" {
		p.errs = append(p.errs, &invalidError{name: name, value: showURL(raw), reason: r, dest: true})
		*dst = ""
		return
	}
	*dst = v
}

func (p *parser) exportMode(dst *ExportMode) {
	raw, v, ok := p.get(EnvExportMode)
	if !ok {
		return
	}
	m := ExportMode(strings.ToLower(v))
	if m != ExportBatched && m != ExportImmediate {
		p.fail(EnvExportMode, raw, reasonExportMode)
		return
	}
	*dst = m
}
