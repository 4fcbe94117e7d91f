package config_test

import (
	"errors"
	"fmt"

	"github.com/observe-go/langfuse/config"
)

func Example() {
	// FromEnv reads the process environment; FromLookup takes any source.
	vars := map[string]string{
		"LANGFUSE_PUBLIC_KEY":     "pk-lf-123",
		"LANGFUSE_SECRET_KEY":     "sk-lf-456",
		"LANGFUSE_HOST":           "http://localhost:3000/",
		"LANGFUSE_FLUSH_INTERVAL": "0.5",
	}
	cfg, err := config.FromLookup(func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.HasKeys())
	fmt.Println(cfg.TracesEndpoint())
	fmt.Println(cfg.FlushInterval, cfg.FlushAt, cfg.ExportMode)
	// Output:
	// true
	// http://localhost:3000/api/public/otel/v1/traces
	// 500ms 512 batched
}

func ExampleFromLookup_errors() {
	vars := map[string]string{
		"LANGFUSE_SAMPLE_RATE": "abc",
		"LANGFUSE_FLUSH_AT":    "0",
		"LANGFUSE_TIMEOUT":     "10",
	}
	cfg, err := config.FromLookup(func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
	fmt.Println(errors.Is(err, config.ErrInvalid))
	fmt.Println(err)
	// The Config is still usable: defaults replace the bad values.
	fmt.Println(cfg.SampleRate, cfg.FlushAt, cfg.Timeout)
	// Output:
	// true
	// LANGFUSE_SAMPLE_RATE="abc": not a number in [0, 1]
	// LANGFUSE_FLUSH_AT="0": not an integer in [1, 65536]
	// 1 512 10s
}

func ExampleConfig_Validate() {
	cfg := config.Default()
	cfg.PublicKey = "pk-lf-123"
	cfg.SecretKey = "sk-lf-456"
	cfg.Environment = "Production"
	cfg.SampleRate = 1.5
	fmt.Println(cfg.Validate())
	// Output:
	// Environment="Production": not only a-z, 0-9, '_' and '-'
	// SampleRate=1.5: not a number in [0, 1]
}
