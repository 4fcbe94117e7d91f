package langfusebedrock

import (
	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

// Option configures the transport NewTransport returns. The options of
// this package are its only values.
type Option interface{ apply(*llmhttp.Config) }

// option is a setting of llmhttp's that only this package's constructors
// make an Option of.
type option func(*llmhttp.Config)

func (f option) apply(c *llmhttp.Config) { f(c) }

// WithObservationOptions applies opts to every observation the transport
// starts, after the transport's own: observe.WithMetadata,
// observe.WithVersion, observe.CaptureInput(false),
// observe.CaptureOutput(false), ... Given more than once, all apply, in
// order.
func WithObservationOptions(opts ...observe.Option) Option {
	return option(llmhttp.ObservationOptions(opts...))
}

// WithCaptureMaxBytes sets how many bytes of a streamed answer the
// transport keeps for the record: the capture cap of the client the
// calls are recorded with, when it is set in code
// (config.Config.CaptureMaxBytes) rather than by LANGFUSE_CAPTURE_MAX_BYTES,
// which is what the transport keeps otherwise (1 MiB unless set). A stream
// holds no more than this, whatever its length; the client records no
// more of an output anyway. n <= 0 leaves the default; more than 64 MiB,
// the largest cap a client takes, is 64 MiB.
func WithCaptureMaxBytes(n int) Option {
	return option(llmhttp.CaptureMaxBytes(n))
}
