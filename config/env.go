package config

// Names of the environment variables that [FromEnv] reads. The first
// group are the names the official Langfuse SDKs read; the second, knobs
// this module adds under the same prefix.
const (
	EnvPublicKey        = "LANGFUSE_PUBLIC_KEY"
	EnvSecretKey        = "LANGFUSE_SECRET_KEY"
	EnvBaseURL          = "LANGFUSE_BASE_URL"
	EnvHost             = "LANGFUSE_HOST" // legacy name of EnvBaseURL
	EnvTracingEnabled   = "LANGFUSE_TRACING_ENABLED"
	EnvEnvironment      = "LANGFUSE_TRACING_ENVIRONMENT"
	EnvRelease          = "LANGFUSE_RELEASE"
	EnvSampleRate       = "LANGFUSE_SAMPLE_RATE"
	EnvFlushAt          = "LANGFUSE_FLUSH_AT"
	EnvFlushInterval    = "LANGFUSE_FLUSH_INTERVAL"
	EnvTimeout          = "LANGFUSE_TIMEOUT"
	EnvDebug            = "LANGFUSE_DEBUG"
	EnvIOCaptureEnabled = "LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED"
	EnvPromptCacheTTL   = "LANGFUSE_PROMPT_CACHE_DEFAULT_TTL_SECONDS"

	EnvCaptureMaxBytes = "LANGFUSE_CAPTURE_MAX_BYTES"
	EnvMaxQueueSize    = "LANGFUSE_MAX_QUEUE_SIZE"
	EnvExportMode      = "LANGFUSE_EXPORT_MODE"
	EnvGzip            = "LANGFUSE_EXPORT_GZIP"
)
