// Package langfuseanthropic records the calls an Anthropic client makes to
// the Messages API as Langfuse generations, at the HTTP transport, with no
// code in the call path.
//
// Plug the transport into the HTTP client of the official SDK
// (github.com/anthropics/anthropic-sdk-go) or of any client of the
// Messages wire:
//
//	client := anthropic.NewClient(
//		option.WithHTTPClient(&http.Client{
//			Transport: langfuseanthropic.NewTransport(nil),
//		}),
//	)
//	ctx, span := observe.Start(ctx, "answer")
//	defer span.End()
//	msg, err := client.Messages.New(ctx, anthropic.MessageNewParams{
//		Model:     anthropic.ModelClaudeSonnet4_6,
//		MaxTokens: 1024,
//		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hi"))},
//	})
//
// # What is recorded
//
// Each HTTP request of a Messages call, streamed or not, is one observation
// of type generation named "anthropic.messages", a child of the
// observation in the request's context. A call the SDK retries (after a
// 429 or a 5xx) is one observation per attempt, since each attempt is a
// request of its own. The observation holds:
//
//   - model: the model the response names (also gen_ai.response.model),
//     else the request's; gen_ai.request.model is the model the request
//     asked for;
//   - model parameters: max_tokens, temperature, top_p, top_k,
//     stop_sequences, stream, tools (the tool definitions), tool_choice,
//     thinking, metadata, service_tier, output_config, output_format,
//     context_management, container, inference_geo, speed and
//     cache_control, as the request sets them;
//   - input: the messages array as sent, with the system prompt, when
//     there is one, put first as a message of role "system" whose content
//     is the system string or blocks;
//   - output: the answer as a message, {"role":"assistant","content":[...]}
//     with the response's content blocks (text, thinking, tool_use, ...);
//     for a stream, the blocks accumulated from its deltas, tool call
//     arguments parsed from their input_json_delta pieces;
//   - usage, in Langfuse's keys, the ones Langfuse's own prices of the
//     Claude models are defined on: input (input_tokens, which leaves out
//     cached input), output (output_tokens), cache_read_input_tokens,
//     cache_creation_input_tokens, total (the sum of these four), and
//     output_reasoning (output_tokens_details.thinking_tokens: a part of
//     output, told apart for reading; Langfuse's Claude prices have no
//     price for it, so the cost is not counted twice). The split of
//     cache_creation into 5-minute and 1-hour entries is not written:
//     input_cache_creation_5m and _1h beside cache_creation_input_tokens
//     would be priced twice;
//   - completion start time: when the first event of a stream arrived;
//   - metadata: message_id, stop_reason and stop_sequence;
//   - level ERROR with the API's error type and message, for an error
//     response and for an error event inside a stream (overloaded_error);
//     level ERROR too when the connection fails mid-stream; level WARNING
//     when the caller closes a stream or cancels the request's context
//     before its message_stop event, or the server ends it cleanly before
//     that event, and when the caller drops a response body without
//     reading it to its end or closing it (the generation ends when the
//     body is garbage-collected).
//
// The SDK's beta Messages calls (Client.Beta.Messages) are recorded like
// the others. Besides /v1/messages, Vertex AI's rawPredict and streamRawPredict calls
// of Anthropic models are recognised, the model read from the URL. Amazon
// Bedrock's InvokeModel is not: its streams are framed as AWS event-stream
// messages, a framing this package does not read; langfusebedrock records
// it, reading the Claude answer inside as this package does. Token counting and
// message batches are not model calls and are not recorded.
//
// # The SDK's own spans
//
// anthropic-sdk-go makes OpenTelemetry spans of its own, through the
// global TracerProvider unless option.WithTracerProvider names another.
// The Langfuse client never registers its provider globally, so they do
// not reach Langfuse; but if the SDK is given the client's provider, or
// the program registers it globally, each call shows twice. Turn the
// SDK's spans off then with option.WithOpenTelemetryTraces(false) (or
// ANTHROPIC_OPEN_TELEMETRY=false).
//
// # What is never recorded
//
// Request headers, and so the x-api-key or Authorization value, are never
// recorded. Request fields other than the model, the parameters above, the
// system prompt and the messages (mcp_servers, whose entries can carry an
// authorization token, among them) are not recorded.
//
// # Guarantees
//
// The response body reaches the SDK unchanged, byte for byte and as it
// arrives: the transport reads along and never buffers a stream, so it
// adds no latency to the first token. A stream holds no more of its
// answer than the client records of an output (LANGFUSE_CAPTURE_MAX_BYTES,
// 1 MiB unless set), whatever its length: past that the output is
// recorded cut, with the metadata langfuse_output_cut, and the stop
// reason, usage and errors are still read (WithCaptureMaxBytes sets the
// cap for a client whose cap is set in code). The request body is read
// before it is sent, for its model, parameters and input, and handed on
// whole. With tracing disabled, or no client in the context, the transport
// is a pass-through.
//
// # Options
//
// WithObservationOptions carries options of package observe to every
// observation the transport starts: the capture switches
// (observe.CaptureInput(false), observe.CaptureOutput(false)), metadata,
// version. The client's masks and size limits apply to what is recorded.
//
//	rt := langfuseanthropic.NewTransport(nil, langfuseanthropic.WithObservationOptions(
//		observe.CaptureInput(false), observe.WithMetadata(map[string]any{"feature": "search"})))
package langfuseanthropic
