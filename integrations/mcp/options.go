package langfusemcp

import "github.com/observe-go/langfuse/observe"

// Option configures ClientMiddleware or ServerMiddleware. Options are
// made by the With... functions of this package; the set can grow
// without breaking callers.
type Option interface{ apply(*config) }

// config is what the options of one middleware resolve to, once, when
// the middleware is made.
type config struct {
	obs         []observe.Option
	readBaggage bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithObservationOptions applies opts of package observe to every
// observation the middleware starts, after the middleware's own:
// observe.WithMetadata, observe.WithVersion, observe.CaptureInput(false),
// observe.CaptureOutput(false), ... Later calls add to earlier ones.
func WithObservationOptions(opts ...observe.Option) Option {
	opts = append([]observe.Option(nil), opts...)
	return optionFunc(func(c *config) { c.obs = append(c.obs, opts...) })
}

// WithReadBaggage makes ServerMiddleware apply the langfuse_* members of
// the W3C baggage in a request's _meta (user, session, version, trace
// name, tags, metadata) as propagated attributes of the tool call, as
// observe.ReadBaggage does for langfuse.ObserveHandler, and keep that
// baggage in the handler's context so that it travels on. It is off by
// default because the baggage comes from the caller: enable it only for
// callers you trust. ClientMiddleware ignores it: a client sends the
// baggage of its context whenever there is one (see
// observe.Attributes.AsBaggage).
func WithReadBaggage(on bool) Option {
	return optionFunc(func(c *config) { c.readBaggage = on })
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}
