// Package config reads and validates the Langfuse settings: defaults,
// overlaid with LANGFUSE_* environment variables, checked in one pass.
//
// Most programs call [FromEnv] once at start-up, adjust fields in code if
// they need to, and hand the result on:
//
//	cfg, err := config.FromEnv()
//	if err != nil {
//		// err lists every bad variable; cfg holds defaults in their
//		// place, but never a default destination (see below).
//		log.Printf("langfuse: %v", err)
//	}
//	cfg.Release = version
//	if !cfg.HasKeys() {
//		log.Print("langfuse: LANGFUSE_PUBLIC_KEY or LANGFUSE_SECRET_KEY not set")
//	}
//	fmt.Println(cfg.TracesEndpoint()) // https://cloud.langfuse.com/api/public/otel/v1/traces
//
// A Config built or changed in code is checked with [Config.Validate],
// which applies the same rules as parsing.
//
// # Variables
//
// Values have surrounding white space trimmed, and an empty value counts
// as unset. Booleans accept true/false, 1/0, yes/no and on/off in any
// case. Durations are in seconds and may be fractional ("0.5").
//
//	Variable                                       Type      Default                     Meaning
//	LANGFUSE_PUBLIC_KEY                            string    (none)                      project public key, pk-lf-...
//	LANGFUSE_SECRET_KEY                            string    (none)                      project secret key, sk-lf-...
//	LANGFUSE_BASE_URL                              URL       https://cloud.langfuse.com  Langfuse server, http or https
//	LANGFUSE_HOST                                  URL       (none)                      legacy name of LANGFUSE_BASE_URL, which wins
//	LANGFUSE_TRACING_ENABLED                       bool      true                        export traces at all
//	LANGFUSE_TRACING_ENVIRONMENT                   string    (server default)            environment: a-z 0-9 _ -, at most 40, not langfuse*
//	LANGFUSE_RELEASE                               string    (none)                      release or version of the application
//	LANGFUSE_SAMPLE_RATE                           float     1                           fraction of traces kept, 0 to 1, by trace ID
//	LANGFUSE_FLUSH_AT                              int       512                         most spans per export request, 1 to 65536
//	LANGFUSE_FLUSH_INTERVAL                        seconds   5                           longest wait before a span is exported, 0.01 to 86400
//	LANGFUSE_TIMEOUT                               seconds   5                           time limit of each export request, 0.001 to 3600
//	LANGFUSE_DEBUG                                 bool      false                       verbose logging of the export pipeline
//	LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED  bool      true                        record inputs and outputs of wrapped functions
//	LANGFUSE_PROMPT_CACHE_DEFAULT_TTL_SECONDS      seconds   60                          how long a fetched prompt is served from memory, 0 to 86400; 0: no cache
//	LANGFUSE_CAPTURE_MAX_BYTES                     int       1048576                     size cap of each captured field, 1 to 67108864
//	LANGFUSE_MAX_QUEUE_SIZE                        int       2048                        most spans buffered for export, 1 to 1048576
//	LANGFUSE_EXPORT_MODE                           string    batched                     batched or immediate, any case
//	LANGFUSE_EXPORT_GZIP                           bool      false                       gzip export request bodies
//
// The last four are specific to this module; the others are read as the
// official Langfuse SDKs read them.
//
// # Errors
//
// Every error wraps [ErrInvalid] and names the variable (or, from
// Validate, the field) and the value, as in
//
//	LANGFUSE_SAMPLE_RATE="abc": not a number in [0, 1]
//
// Keys are never checked, so they never appear in an error.
//
// # Destinations fail closed
//
// A bad value of a setting that chooses where traces go, or whether they
// go anywhere, is never replaced by its default: a LANGFUSE_BASE_URL of
// 127.0.0.1:4000 (no scheme) must not send the program's traces, and its
// keys, to Langfuse Cloud. Its error wraps [ErrDestination] as well as
// [ErrInvalid], and the Config names no destination in its place:
//
//   - LANGFUSE_BASE_URL or LANGFUSE_HOST that is not an absolute http or
//     https URL with a host, or that has a query, a fragment, user info or
//     a bad port, leaves BaseURL empty; a bad LANGFUSE_BASE_URL is not
//     replaced by LANGFUSE_HOST either. No exporter sends to an empty
//     BaseURL, [Config.Validate] reports it, and langfuse.New's client
//     exports nothing (without keys it prints to the console, as always).
//   - LANGFUSE_TRACING_ENABLED that is not a boolean turns tracing off.
//
// [Config.Validate] marks a bad BaseURL with [ErrDestination] too.
//
// # Capture fails closed
//
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED chooses no destination,
// but capture records the program's data, and a value that is not a
// boolean ("disabled") may have meant off. Such a value turns input and
// output capture off, not on: IOCaptureEnabled is false, and the error,
// which wraps [ErrInvalid] alone, ends "; input and output capture is
// off". Traces are still sent, without inputs and outputs.
package config
