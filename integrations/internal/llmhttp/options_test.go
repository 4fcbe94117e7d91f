package llmhttp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
	"github.com/observe-go/langfuse/observe"
)

// option stands for an integration's sealed Option.
type option interface{ apply(*llmhttp.Config) }

type optionFunc func(*llmhttp.Config)

func (f optionFunc) apply(c *llmhttp.Config) { f(c) }

func TestConfigure(t *testing.T) {
	assert.Equal(t, llmhttp.Config{}, llmhttp.Configure[option](nil, option.apply))

	v1, v2 := observe.WithVersion("1"), observe.WithVersion("2")
	c := llmhttp.Configure([]option{
		optionFunc(llmhttp.ObservationOptions(v1)),
		nil, // passed over
		optionFunc(llmhttp.CaptureMaxBytes(10)),
		optionFunc(llmhttp.ObservationOptions(v2)),
		optionFunc(llmhttp.CaptureMaxBytes(20)),
	}, option.apply)
	assert.Len(t, c.Observe, 2, "observation options add up, in order")
	assert.Equal(t, 20, c.Keep, "the last capture cap wins")
}
