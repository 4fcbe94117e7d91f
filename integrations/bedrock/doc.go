// Package langfusebedrock records the calls an Amazon Bedrock Runtime
// client makes as Langfuse generations, at the HTTP transport, with no
// code in the call path.
//
// Plug the transport into the HTTP client of the AWS SDK for Go v2
// (github.com/aws/aws-sdk-go-v2/service/bedrockruntime):
//
//	client := bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
//		o.HTTPClient = &http.Client{Transport: langfusebedrock.NewTransport(nil)}
//	})
//	ctx, span := observe.Start(ctx, "answer")
//	defer span.End()
//	out, err := client.Converse(ctx, &bedrockruntime.ConverseInput{
//		ModelId:  aws.String("anthropic.claude-3-5-haiku-20241022-v1:0"),
//		Messages: []types.Message{{Role: types.ConversationRoleUser,
//			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "Hi"}}}},
//	})
//
// The transport sits below the SDK's signing: it sees each request as
// sent, signed, and changes nothing of it.
//
// # What is recorded
//
// Each HTTP request of Converse and ConverseStream is one observation of
// type generation named "bedrock.converse"; each of InvokeModel and
// InvokeModelWithResponseStream one named "bedrock.invoke_model"; each a
// child of the observation in the request's context. A call the SDK
// retries (after a ThrottlingException or a 5xx) is one observation per
// attempt, since each attempt is a request of its own. The observation
// holds:
//
//   - model: the model id of the URL path (/model/{modelId}/converse,
//     unescaped: a model id, inference profile or ARN), or the model an
//     Anthropic answer names;
//   - model parameters: Converse's inferenceConfig fields (maxTokens,
//     temperature, topP, stopSequences), toolConfig (the tools offered and
//     the tool choice), additionalModelRequestFields, guardrailConfig,
//     performanceConfig, serviceTier and promptVariables; for a Claude
//     InvokeModel body, anthropic_version, anthropic_beta, max_tokens,
//     temperature, top_p, top_k, stop_sequences, tools, tool_choice and
//     thinking;
//   - input: the messages with the system prompt, when there is one, put
//     first as a message of role "system"; an InvokeModel body of another
//     model family (one without "messages") is recorded whole;
//   - output: the answer's message (Converse's content blocks: text,
//     toolUse with its input, reasoningContent; Claude's: text with its
//     citations, tool_use, thinking), accumulated from the events of a
//     stream;
//   - usage, in the keys Langfuse's model prices use: input, output,
//     cache_read_input_tokens, cache_creation_input_tokens (Converse's
//     cacheWriteInputTokens) and total, and for Claude output_reasoning
//     (thinking tokens, a part of output);
//   - metadata: stop_reason, latency_ms (Converse), message_id and
//     stop_sequence (Claude) and requestMetadata as request_metadata;
//   - time to first token, for a stream;
//   - errors: an HTTP error (ThrottlingException is a 429,
//     ValidationException a 400, ...) ends the observation at level ERROR
//     with the status and the API's message; an exception inside a stream
//     (throttlingException, modelStreamErrorException, ...) does too.
//
// A Claude answer of InvokeModel is the Anthropic Messages API's own JSON
// and is read as langfuseanthropic reads it, whole or streamed, so the
// two record the same answer alike.
//
// # Secrets
//
// The SigV4 Authorization header (its signature among it), the
// X-Amz-Security-Token of temporary credentials and every other header
// value the request carries but the plain ones (Content-Type, ...) are
// taken out of whatever is recorded from the response.
package langfusebedrock
