package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultBaseURL is the Langfuse Cloud (EU) endpoint, used when neither
// LANGFUSE_BASE_URL nor LANGFUSE_HOST is set; never in place of a bad
// value of either (see [ErrDestination]).
const DefaultBaseURL = "https://cloud.langfuse.com"

// TracesPath is the path of the Langfuse OTLP/HTTP traces endpoint,
// relative to the base URL.
const TracesPath = "/api/public/otel/v1/traces"

// Defaults of the numeric settings; [Default] is the one place that
// applies them.
const (
	defaultSampleRate      = 1.0
	defaultFlushAt         = 512
	defaultFlushInterval   = 5 * time.Second
	defaultTimeout         = 5 * time.Second
	defaultCaptureMaxBytes = 1 << 20
	defaultMaxQueueSize    = 2048
	defaultPromptCacheTTL  = 60 * time.Second
)

// maxEnvironmentLen is the longest environment name Langfuse accepts.
const maxEnvironmentLen = 40

// reservedEnvironmentPrefix starts the names Langfuse keeps for itself.
const reservedEnvironmentPrefix = "langfuse"

// ExportMode selects how finished spans reach the exporter.
type ExportMode string

const (
	// ExportBatched queues finished spans and exports them in batches of
	// up to FlushAt spans at least every FlushInterval. It is the default.
	ExportBatched ExportMode = "batched"
	// ExportImmediate exports each span as soon as it ends. It suits
	// short-lived processes and tests, at the cost of one request per span.
	ExportImmediate ExportMode = "immediate"
)

// Config holds every Langfuse setting. Start from [Default] or [FromEnv]
// and change fields as needed: the zero Config is not valid. A Config is a
// plain value, safe to copy and to read from several goroutines at once.
type Config struct {
	// PublicKey is the project's public key (pk-lf-...).
	PublicKey string
	// SecretKey is the project's secret key (sk-lf-...).
	SecretKey string
	// BaseURL is the Langfuse server, an absolute http or https URL
	// without query or fragment; a path prefix is allowed. Trailing
	// slashes are ignored.
	BaseURL string
	// TracingEnabled turns tracing on; when false nothing is exported.
	TracingEnabled bool
	// Environment names the deployment environment of every trace. It is
	// at most 40 of a-z, 0-9, '_' and '-', and must not start with
	// "langfuse". Empty means the server's default.
	Environment string
	// Release is the release or version of the instrumented application.
	Release string
	// SampleRate is the fraction of traces kept, in [0, 1], decided by
	// trace ID so that a trace is kept or dropped as a whole.
	SampleRate float64
	// FlushAt is the largest number of spans sent in one request; at
	// least 1.
	FlushAt int
	// FlushInterval is the longest a finished span waits before export;
	// greater than 0.
	FlushInterval time.Duration
	// Timeout bounds each export request; greater than 0.
	Timeout time.Duration
	// Debug turns on verbose logging of the export pipeline.
	Debug bool
	// IOCaptureEnabled lets wrappers record function inputs and outputs.
	IOCaptureEnabled bool
	// CaptureMaxBytes caps the size of each captured input or output
	// field; at least 1.
	CaptureMaxBytes int
	// MaxQueueSize is the most finished spans buffered for export; spans
	// beyond it are dropped. At least 1.
	MaxQueueSize int
	// ExportMode is ExportBatched or ExportImmediate.
	ExportMode ExportMode
	// Gzip compresses export request bodies with gzip.
	Gzip bool
	// PromptCacheTTL is how long a prompt fetched from Langfuse is served
	// from memory before it is refreshed in the background, unless the
	// call sets its own (prompt.CacheTTL); 0 fetches on every call. From
	// 0 to MaxPromptCacheTTL.
	PromptCacheTTL time.Duration
}

// Default returns a Config with every default filled in and no keys.
func Default() Config {
	return Config{
		BaseURL:          DefaultBaseURL,
		TracingEnabled:   true,
		SampleRate:       defaultSampleRate,
		FlushAt:          defaultFlushAt,
		FlushInterval:    defaultFlushInterval,
		Timeout:          defaultTimeout,
		IOCaptureEnabled: true,
		CaptureMaxBytes:  defaultCaptureMaxBytes,
		MaxQueueSize:     defaultMaxQueueSize,
		ExportMode:       ExportBatched,
		PromptCacheTTL:   defaultPromptCacheTTL,
	}
}

// HasKeys reports whether both the public and the secret key are set.
func (c Config) HasKeys() bool {
	return c.PublicKey != "" && c.SecretKey != ""
}

// KeysPartial reports whether exactly one of the two keys is set: a
// mistake, not a Config without keys, so traces are neither sent nor
// printed to the console.
func (c Config) KeysPartial() bool {
	return (c.PublicKey == "") != (c.SecretKey == "")
}

// missingKey returns an error naming the key that is missing when only
// one is set, taking the names of the public and the secret key; nil
// otherwise.
func missingKey(c Config, public, secret string) error {
	switch {
	case !c.KeysPartial():
		return nil
	case c.PublicKey == "":
		return &invalidError{name: public, reason: missingKeyReason(secret)}
	default:
		return &invalidError{name: secret, reason: missingKeyReason(public)}
	}
}

func missingKeyReason(other string) string {
	return "not set, but " + other + " is: set both keys to send traces to Langfuse, or neither to print them to the console"
}

// TracesEndpoint returns the URL that spans are exported to: ServerURL
// followed by [TracesPath].
func (c Config) TracesEndpoint() string { return c.ServerURL() + TracesPath }

// ServerURL returns the Langfuse server's root URL: BaseURL without
// trailing slashes and without the OpenTelemetry part of the path, since
// BaseURL may also be given as the OpenTelemetry base
// (".../api/public/otel") or as the traces URL itself, as Langfuse's docs
// show for other OpenTelemetry exporters. The public API is under it.
func (c Config) ServerURL() string {
	base := strings.TrimRight(c.BaseURL, "/")
	for _, suffix := range []string{TracesPath, otelBasePath} {
		if strings.HasSuffix(base, suffix) {
			return strings.TrimRight(strings.TrimSuffix(base, suffix), "/")
		}
	}
	return base
}

// otelBasePath is the part of TracesPath that OpenTelemetry exporters are
// given as their base.
const otelBasePath = "/api/public/otel"

// Validate applies to c the checks that [FromEnv] applies to the
// environment and returns every problem found, joined, each wrapping
// [ErrInvalid]. Errors name the Config field; a BaseURL is shown with the
// password of any user info redacted, and its error wraps [ErrDestination]
// too. Both keys empty is valid and shows up as HasKeys reporting false;
// only one of them set is an error that names the empty one.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &invalidError{name: field, value: value, reason: reason})
	}
	if err := missingKey(c, "PublicKey", "SecretKey"); err != nil {
		errs = append(errs, err)
	}
	if r := checkBaseURL(strings.TrimRight(c.BaseURL, "/")); r != "" {
		errs = append(errs, &invalidError{name: "BaseURL", value: showURL(c.BaseURL), reason: r, dest: true})
	}
	if r := checkEnvironment(c.Environment); r != "" {
		bad("Environment", fmt.Sprintf("%q", c.Environment), r)
	}
	if !validSampleRate(c.SampleRate) {
		bad("SampleRate", fmt.Sprint(c.SampleRate), reasonSampleRate)
	}
	if !flushAtLimit.ok(c.FlushAt) {
		bad("FlushAt", fmt.Sprint(c.FlushAt), flushAtLimit.reason())
	}
	if !flushIntervalLimit.ok(c.FlushInterval) {
		bad("FlushInterval", c.FlushInterval.String(), flushIntervalLimit.reason())
	}
	if !timeoutLimit.ok(c.Timeout) {
		bad("Timeout", c.Timeout.String(), timeoutLimit.reason())
	}
	if !captureMaxLimit.ok(c.CaptureMaxBytes) {
		bad("CaptureMaxBytes", fmt.Sprint(c.CaptureMaxBytes), captureMaxLimit.reason())
	}
	if !queueLimit.ok(c.MaxQueueSize) {
		bad("MaxQueueSize", fmt.Sprint(c.MaxQueueSize), queueLimit.reason())
	}
	if c.ExportMode != ExportBatched && c.ExportMode != ExportImmediate {
		bad("ExportMode", fmt.Sprintf("%q", c.ExportMode), reasonExportMode)
	}
	if !promptCacheTTLLimit.ok(c.PromptCacheTTL) {
		bad("PromptCacheTTL", c.PromptCacheTTL.String(), promptCacheTTLLimit.reason())
	}
	return errors.Join(errs...)
}
