// Package semconv names the span attributes and values that the Langfuse
// server reads: the keys of observations (type, input, output, model,
// usage, ...), of traces (user, session, tags, ...) and the markers the
// server uses to place spans in a trace.
//
// The library writes every Langfuse attribute with a key from here. Use
// the constants in tests that assert on recorded spans, and in other
// OpenTelemetry instrumentation that wants Langfuse to read its spans as
// observations, instead of spelling the keys by hand.
package semconv

// ScopeName is the instrumentation scope of the tracer that creates
// observations. The server treats spans of any other scope as third-party
// spans and copies their attributes into metadata.
const ScopeName = "langfuse-sdk"

// Observation attributes.
const (
	ObservationType                = "langfuse.observation.type"
	ObservationInput               = "langfuse.observation.input"
	ObservationOutput              = "langfuse.observation.output"
	ObservationMetadataPrefix      = "langfuse.observation.metadata."
	ObservationLevel               = "langfuse.observation.level"
	ObservationStatusMessage       = "langfuse.observation.status_message"
	ObservationModel               = "langfuse.observation.model.name"
	ObservationModelParameters     = "langfuse.observation.model.parameters"
	ObservationUsageDetails        = "langfuse.observation.usage_details"
	ObservationCostDetails         = "langfuse.observation.cost_details"
	ObservationCompletionStartTime = "langfuse.observation.completion_start_time"
	ObservationPromptName          = "langfuse.observation.prompt.name"
	ObservationPromptVersion       = "langfuse.observation.prompt.version"
)

// Trace-level attributes. The server reads them from every span, so they
// are stamped on each span at start.
const (
	Version             = "langfuse.version"
	Release             = "langfuse.release"
	Environment         = "langfuse.environment"
	UserID              = "user.id"
	SessionID           = "session.id"
	TraceName           = "langfuse.trace.name"
	TraceTags           = "langfuse.trace.tags"
	TraceMetadataPrefix = "langfuse.trace.metadata."
	TracePublic         = "langfuse.trace.public"
	// TraceInput and TraceOutput are the trace's own input and output,
	// set on one span (SetTraceIO), encoded like observation input and
	// output.
	TraceInput  = "langfuse.trace.input"
	TraceOutput = "langfuse.trace.output"
)

// Experiment attributes (Langfuse's "Ingest experiment spans with
// OpenTelemetry"). The experiment's identity (id, name, dataset id,
// metadata) and the item's (id, version, metadata, root observation id)
// are read from every span of an item's trace; the description and the
// expected output from the item's root span, whose own id is its
// root observation id.
const (
	ExperimentID                    = "langfuse.experiment.id"
	ExperimentName                  = "langfuse.experiment.name"
	ExperimentDescription           = "langfuse.experiment.description"
	ExperimentDatasetID             = "langfuse.experiment.dataset.id"
	ExperimentMetadataPrefix        = "langfuse.experiment.metadata."
	ExperimentItemID                = "langfuse.experiment.item.id"
	ExperimentItemVersion           = "langfuse.experiment.item.version"
	ExperimentItemMetadataPrefix    = "langfuse.experiment.item.metadata."
	ExperimentItemRootObservationID = "langfuse.experiment.item.root_observation_id"
	ExperimentItemExpectedOutput    = "langfuse.experiment.item.expected_output"
)

// EnvironmentExperiment is the environment the official SDKs give every
// span of an experiment, so that experiment traffic stays apart from the
// program's other traces.
const EnvironmentExperiment = "sdk-experiment"

// W3C baggage members that carry an experiment's and an item's identity
// to every span of the item's trace, in this process and in services it
// calls, spelled as the official SDKs spell them. A span processor that
// finds BaggageExperimentID stamps the others as the attributes above;
// the metadata members are BaggageExperimentMetadataPrefix or
// BaggageExperimentItemMetadataPrefix followed by the metadata key.
const (
	BaggageEnvironment                     = "langfuse_environment"
	BaggageExperimentID                    = "langfuse_experiment_id"
	BaggageExperimentName                  = "langfuse_experiment_name"
	BaggageExperimentDatasetID             = "langfuse_experiment_dataset_id"
	BaggageExperimentMetadataPrefix        = "langfuse_experiment_metadata_"
	BaggageExperimentItemID                = "langfuse_experiment_item_id"
	BaggageExperimentItemVersion           = "langfuse_experiment_item_version"
	BaggageExperimentItemMetadataPrefix    = "langfuse_experiment_item_metadata_"
	BaggageExperimentItemRootObservationID = "langfuse_experiment_item_root_observation_id"
)

// Internal markers the server uses to place spans in a trace.
const (
	AsRoot    = "langfuse.internal.as_root"
	IsAppRoot = "langfuse.internal.is_app_root"
)

// MaxPropagatedLen is the longest value, in characters, the server accepts
// for a propagated trace attribute (user id, session id, trace name,
// metadata values).
const MaxPropagatedLen = 200

// Observation types as the server spells them.
const (
	TypeSpan       = "span"
	TypeGeneration = "generation"
	TypeEvent      = "event"
	TypeAgent      = "agent"
	TypeTool       = "tool"
	TypeChain      = "chain"
	TypeRetriever  = "retriever"
	TypeEvaluator  = "evaluator"
	TypeEmbedding  = "embedding"
	TypeGuardrail  = "guardrail"
)

// Levels as the server spells them.
const (
	LevelDebug   = "DEBUG"
	LevelDefault = "DEFAULT"
	LevelWarning = "WARNING"
	LevelError   = "ERROR"
)

// GenAIPrefix begins the keys of the GenAI semantic conventions, which
// mark a span as an LLM span for the export filter and for other
// OpenTelemetry backends.
const GenAIPrefix = "gen_ai."

// GenAI semantic-convention attributes mirrored on generation-like
// observations, so that other OpenTelemetry backends understand them too.
// Langfuse reads its own langfuse.observation.* keys first, so the mirror
// never changes what it shows.
const (
	GenAIRequestModel      = "gen_ai.request.model"
	GenAIUsageInputTokens  = "gen_ai.usage.input_tokens"
	GenAIUsageOutputTokens = "gen_ai.usage.output_tokens"
)

// SDK identification sent with every export and set as the tracer's
// instrumentation version.
const (
	SDKName    = "langfuse-go"
	SDKVersion = "0.1.0"
)
