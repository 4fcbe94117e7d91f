package config_test

import "github.com/observe-go/langfuse/config"

// allEnv lists every variable FromLookup reads, in the order of the
// package doc table.
var allEnv = []string{
	config.EnvPublicKey,
	config.EnvSecretKey,
	config.EnvBaseURL,
	config.EnvHost,
	config.EnvTracingEnabled,
	config.EnvEnvironment,
	config.EnvRelease,
	config.EnvSampleRate,
	config.EnvFlushAt,
	config.EnvFlushInterval,
	config.EnvTimeout,
	config.EnvDebug,
	config.EnvIOCaptureEnabled,
	config.EnvPromptCacheTTL,
	config.EnvCaptureMaxBytes,
	config.EnvMaxQueueSize,
	config.EnvExportMode,
	config.EnvGzip,
}

// env is a fake environment for FromLookup.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}
