package config_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/observe-go/langfuse/config"
)

// FuzzFromLookup feeds arbitrary text to every variable. FromLookup must
// not panic; every error it reports must wrap ErrInvalid; and the Config
// it returns, with or without an error, must pass Validate (but for a
// lone key, which FromLookup keeps and Validate reports) and yield a
// traces endpoint that parses as an http(s) URL, unless a bad destination
// failed closed: then BaseURL is empty, the error wraps ErrDestination
// and the traces endpoint has no host.
func FuzzFromLookup(f *testing.F) {
	f.Add("pk-lf-1", "sk-lf-1", "https://cloud.langfuse.com", "", "true", "production", "v1",
		"0.5", "512", "5", "5", "false", "true", "1048576", "2048", "batched", "off")
	f.Add("", "", "", "http://localhost:3000/", "", "", "", "", "", "", "", "", "", "", "", "", "")
	f.Add(" ", "\t", "ftp://x", "localhost", "maybe", "Langfuse", "\x00",
		"NaN", "-1", "Inf", "1e400", "2", "yes ", "0", "99999999999999999999", "ASYNC", "ON")

	f.Fuzz(func(t *testing.T, publicKey, secretKey, baseURL, host, tracingEnabled,
		environment, release, sampleRate, flushAt, flushInterval, timeout, debug,
		ioCapture, captureMaxBytes, maxQueueSize, exportMode, gzip string) {
		vars := map[string]string{
			config.EnvPublicKey:        publicKey,
			config.EnvSecretKey:        secretKey,
			config.EnvBaseURL:          baseURL,
			config.EnvHost:             host,
			config.EnvTracingEnabled:   tracingEnabled,
			config.EnvEnvironment:      environment,
			config.EnvRelease:          release,
			config.EnvSampleRate:       sampleRate,
			config.EnvFlushAt:          flushAt,
			config.EnvFlushInterval:    flushInterval,
			config.EnvTimeout:          timeout,
			config.EnvDebug:            debug,
			config.EnvIOCaptureEnabled: ioCapture,
			config.EnvCaptureMaxBytes:  captureMaxBytes,
			config.EnvMaxQueueSize:     maxQueueSize,
			config.EnvExportMode:       exportMode,
			config.EnvGzip:             gzip,
		}
		c, err := config.FromLookup(func(name string) (string, bool) {
			v, ok := vars[name]
			return v, ok
		})
		if err != nil {
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range joined.Unwrap() {
					if !errors.Is(e, config.ErrInvalid) {
						t.Fatalf("joined error does not wrap ErrInvalid: %v", e)
					}
				}
			}
		}
		// A bad destination fails closed: no base URL, never the default.
		destErr := errors.Is(err, config.ErrDestination)
		if c.BaseURL == "" && !destErr {
			t.Fatalf("empty BaseURL without ErrDestination (parse error: %v)", err)
		}
		if destErr && c.TracingEnabled && c.BaseURL != "" {
			t.Fatalf("ErrDestination, but tracing on with BaseURL %q: %v", c.BaseURL, err)
		}
		if c.BaseURL == "" {
			if u, perr := url.Parse(c.TracesEndpoint()); perr == nil && u.Host != "" {
				t.Fatalf("a failed destination left TracesEndpoint %q with a host", c.TracesEndpoint())
			}
			return
		}
		if verr := c.Validate(); verr != nil && !c.KeysPartial() {
			t.Fatalf("FromLookup returned a Config that fails Validate (parse error: %v): %v", err, verr)
		}
		u, perr := url.Parse(c.TracesEndpoint())
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("TracesEndpoint %q is not an http(s) URL: %v", c.TracesEndpoint(), perr)
		}
	})
}
