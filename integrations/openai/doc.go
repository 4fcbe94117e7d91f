// Package langfuseopenai records the calls a program makes to the OpenAI
// API as Langfuse generations, at the HTTP transport: the program keeps
// calling the API through its client as before, with only the client's
// transport replaced.
//
// With the official SDK (github.com/openai/openai-go):
//
//	client := openai.NewClient(
//		option.WithHTTPClient(&http.Client{Transport: langfuseopenai.NewTransport(nil)}))
//	ctx, span := observe.Start(ctx, "answer-question")
//	defer span.End()
//	completion, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
//		Model:    openai.ChatModelGPT4oMini,
//		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hi")},
//	})
//
// With github.com/sashabaranov/go-openai:
//
//	cfg := openai.DefaultConfig(apiKey)
//	cfg.HTTPClient = &http.Client{Transport: langfuseopenai.NewTransport(nil)}
//	client := openai.NewClientWithConfig(cfg)
//
// Any client of an OpenAI-compatible server works the same way: calls are
// recognised by the end of their URL path, whatever the base URL (Azure
// OpenAI, local servers, gateways).
//
// # What is recorded
//
// Each model call, each HTTP request, is one observation, a child of the
// observation in the request's context. A call the client retries (after
// a 429 or a 5xx) is one observation per attempt, the failed ones at
// level ERROR.
//
//   - POST .../chat/completions: a generation named
//     "openai.chat.completions". Input: the messages. Output: the
//     assistant message (content, refusal, tool calls), or the list of
//     messages when n > 1.
//   - POST .../responses: a generation named "openai.responses". Input:
//     the instructions as a system message followed by the input items
//     (the input as it is when there are no instructions). Output: an
//     assistant message with the text of the message items, the function
//     calls as tool calls, and other items (reasoning, built-in tool
//     calls) as they are under "items".
//   - POST .../embeddings: an observation of type embedding named
//     "openai.embeddings". Input: the input text(s). Output: not the
//     vectors but {"embeddings": N, "dimensions": D}.
//
// The model is the one the response names (also gen_ai.response.model),
// else the request's, else the Azure deployment of the URL;
// gen_ai.request.model is the one the request asked for. Every other field the request sets is a
// model parameter (temperature, max_tokens, top_p, stop, seed,
// reasoning_effort, ...), the tools offered as their names, tool_choice as
// a name, response_format (and the Responses API's text.format) as its
// type. The response id, finish reasons, status and system fingerprint
// are metadata.
//
// Usage is written in the keys the Langfuse server derives from OpenAI's
// usage objects, so that cost is computed as for Langfuse's own OpenAI
// integration: "input", "output" and "total", and each entry of
// prompt_tokens_details / input_tokens_details as "input_<name>" and of
// completion_tokens_details / output_tokens_details as "output_<name>"
// (input_cached_tokens, input_audio_tokens, output_reasoning_tokens,
// output_audio_tokens, output_accepted_prediction_tokens, ...). As the
// server does, the detail counts are taken out of "input" and "output",
// so that every token is counted once: 100 prompt tokens of which 40
// cached are "input": 60, "input_cached_tokens": 40. Embeddings record
// "input" and "total".
//
// Streamed calls (Server-Sent Events) are followed as they pass: the
// text and the tool calls are accumulated from the deltas, the usage is
// taken from the last chunk (Chat Completions sends it when the request
// sets stream_options.include_usage) or from response.completed, and the
// completion start time is the arrival of the first event. The end of a
// stream is its final event: data: [DONE] or a finish reason on every
// choice (Chat Completions), response.completed, response.incomplete or
// response.failed (Responses). A stream that the caller closes, or whose
// request's context it cancels, before its end, or whose body ends
// without it, is recorded at level WARNING with what had arrived; one
// whose connection fails is recorded at level ERROR. A response body the
// caller drops without reading it to its end or closing it is recorded
// at level WARNING when it is garbage-collected. An error
// response, or an error event in a stream (response.failed, error), is
// recorded at level ERROR with the API's message.
//
// Request headers, and so API keys, are never recorded.
//
// # Guarantees
//
// The response body is passed to the client unchanged and unbuffered:
// every byte as it arrives, so the transport adds no latency to the first
// token. A stream holds no more of its answer than the client records of
// an output (LANGFUSE_CAPTURE_MAX_BYTES, 1 MiB unless set), whatever its
// length: past that the output is recorded cut, with the metadata
// langfuse_output_cut, and the finish reasons, usage and errors are still
// read (WithCaptureMaxBytes sets the cap for a client whose cap is set in
// code). The request body is read before it is sent and handed on whole.
// When tracing is off, or the context has no client, the transport is a
// pass-through.
//
// # Options
//
// WithObservationOptions carries options of package observe to every
// observation the transport starts: the capture switches
// (observe.CaptureInput(false), observe.CaptureOutput(false); without
// them, LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED decides), metadata,
// version. The client's masks and size limits apply to what is recorded.
//
//	rt := langfuseopenai.NewTransport(nil, langfuseopenai.WithObservationOptions(
//		observe.CaptureInput(false), observe.WithMetadata(map[string]any{"feature": "search"})))
package langfuseopenai
