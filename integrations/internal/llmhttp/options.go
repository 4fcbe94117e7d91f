package llmhttp

import "github.com/observe-go/langfuse/observe"

// Config is what the options of an integration's NewTransport set.
//
// Each integration has a sealed Option type of its own, whose go doc
// names no internal package: an interface with an unexported method
// apply(*Config), implemented by a func type of the package, whose
// constructors wrap the settings below (ObservationOptions,
// CaptureMaxBytes); its NewTransport resolves them with Configure.
type Config struct {
	// Observe is applied to each observation after the transport's own
	// options.
	Observe []observe.Option
	// Keep is how many bytes of a streamed answer are kept for the record,
	// the client's capture cap; 0 or less: KeepFromEnv. More than the
	// largest cap a client takes (64 MiB) is that cap.
	Keep int
}

// Configure returns the Config that opts set, each applied in order by
// apply (an integration's Option.apply); a nil option is passed over.
func Configure[O any](opts []O, apply func(O, *Config)) Config {
	var c Config
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &c)
		}
	}
	return c
}

// ObservationOptions is the setting of an integration's
// WithObservationOptions: opts applied to every observation the transport
// starts, after the transport's own and those of an earlier setting.
func ObservationOptions(opts ...observe.Option) func(*Config) {
	return func(c *Config) { c.Observe = append(c.Observe, opts...) }
}

// CaptureMaxBytes is the setting of an integration's WithCaptureMaxBytes:
// n bytes of a streamed answer kept for the record (Config.Keep).
func CaptureMaxBytes(n int) func(*Config) {
	return func(c *Config) { c.Keep = n }
}
