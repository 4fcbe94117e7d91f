// Package langfusegenai records the Gemini API and Vertex AI calls of
// google.golang.org/genai, or of any client of the generateContent wire, as
// Langfuse generations, with no code in the call path: the transport it
// returns goes into the SDK's HTTP client, and every model call made with a
// context that carries an observation becomes a child of that observation.
//
//	client, err := genai.NewClient(ctx, &genai.ClientConfig{
//		APIKey:     os.Getenv("GEMINI_API_KEY"),
//		Backend:    genai.BackendGeminiAPI,
//		HTTPClient: &http.Client{Transport: langfusegenai.NewTransport(nil)},
//	})
//	...
//	ctx, span := observe.Start(ctx, "answer-question")
//	defer span.End()
//	resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text(question), nil)
//
// For Vertex AI, set Backend to genai.BackendVertexAI with Project and
// Location. A ClientConfig with an HTTPClient sends through that client as
// it is, without Google credentials, so add them to it: UseDefaultCredentials
// wraps the client's transport in one that adds the Authorization header
// (which is never recorded) before the request reaches this transport.
//
//	cc := &genai.ClientConfig{
//		Backend:    genai.BackendVertexAI,
//		Project:    "my-project",
//		Location:   "us-central1",
//		HTTPClient: &http.Client{Transport: langfusegenai.NewTransport(nil)},
//	}
//	if err := cc.UseDefaultCredentials(); err != nil { ... }
//	client, err := genai.NewClient(ctx, cc)
//
// # What is recorded
//
// One observation per HTTP request to a model method, named after it:
//
//   - genai.generateContent: POST .../models/{model}:generateContent
//   - genai.streamGenerateContent: POST .../models/{model}:streamGenerateContent,
//     server-sent events with alt=sse (what the SDK sends), or the JSON
//     array sent without it, read whole at its end (up to 16 MiB; an array
//     closed or cut before its end records the responses before the cut,
//     with the metadata incomplete_array)
//   - genai.embedContent, of type embedding: POST .../models/{model}:embedContent
//     and :batchEmbedContents
//
// countTokens, :predict (the older Vertex AI embedding models, Imagen) and
// every other request pass through unrecorded. The model is
// the {model} of the URL (publishers/google/models/{model} on Vertex AI;
// tunedModels/{id} and endpoints/{id} keep their collection), replaced by
// the response's modelVersion when it names one (which is also
// gen_ai.response.model; gen_ai.request.model keeps the URL's).
//
// The model parameters are the fields of generationConfig as the request
// names them (temperature, topP, topK, maxOutputTokens, candidateCount,
// stopSequences, responseMimeType, responseSchema, seed, thinkingConfig,
// ...), with tools (the function declarations offered), toolConfig,
// safetySettings and cachedContent beside them. The input is the contents
// as sent, preceded by the systemInstruction as a content of role
// "system". The output is the candidate's content, {"role": "model",
// "parts": [...]}, in which consecutive text parts are joined (for a
// stream, the text of all its chunks) with thoughts kept apart from the
// answer as parts with "thought": true, and function calls and other parts
// kept in the order they came; with several candidates it is the list of
// their contents. An embedding's output is the number of embeddings and
// their dimensions, never the vectors. The base64 data of inline media
// (inlineData: images, audio, documents) in the input or output is
// recorded as its type and size, "[image/png, 4000 bytes]". finishReason (finish_reasons for
// several candidates), finishMessage and responseId are metadata, as is a
// request's labels.
//
// Usage is written in the keys that the Langfuse server's default prices
// for Gemini models use (input, input_cached_tokens, output,
// output_reasoning), from the last usageMetadata of the response:
//
//	input                promptTokenCount - cachedContentTokenCount
//	input_cached_tokens  cachedContentTokenCount
//	input_tool_use       toolUsePromptTokenCount
//	output               candidatesTokenCount
//	output_reasoning     thoughtsTokenCount
//	total                totalTokenCount
//
// Gemini counts the cached tokens inside promptTokenCount but the thoughts
// apart from candidatesTokenCount. Langfuse prices each key and adds them
// up, so input leaves the cached tokens out, as Langfuse's own LangChain
// integration does with its input details, and every token is charged
// once. input_tool_use has no default price; it is there to be seen.
// Counts of zero are left out. An embedding records input and total when
// the response has usageMetadata.
//
// A stream's completion start time is when its first event arrived. A
// stream that the caller stops reading before the chunk with the finish
// reason (breaking out of GenerateContentStream's loop, or canceling the
// request's context) ends at level WARNING with what arrived; one that
// fails ends at level ERROR; one that the server ends cleanly without a
// finish reason ends at level WARNING. A response body dropped without
// being read to its end or closed ends at level WARNING when it is
// garbage-collected.
// An error answer (4xx, 5xx) ends at level ERROR with the API's status and
// message; an error event inside a stream likewise. A prompt blocked by
// promptFeedback.blockReason is an answer to the SDK but no answer to the
// user, so it ends at level ERROR with "prompt blocked: REASON". A request
// the SDK retries (a 429, a 5xx) is one observation per attempt.
//
// # What is never recorded
//
// Request and response headers, so never the x-goog-api-key header or an
// Authorization token, and never the URL, so never a key= query
// parameter.
//
// # Guarantees
//
// The response body reaches the SDK unchanged and as it arrives: the
// transport reads along, it does not buffer a stream. A stream holds no
// more of its answer than the client records of an output
// (LANGFUSE_CAPTURE_MAX_BYTES, 1 MiB unless set), whatever its length:
// past that the output is recorded cut, with the metadata
// langfuse_output_cut, and the finish reason, usage and errors are still
// read (WithCaptureMaxBytes sets the cap for a client whose cap is set in
// code). The request body is read before it is sent and handed on whole.
// Without a Langfuse client in the context, or with tracing disabled, the
// transport is a pass-through.
//
// # Options
//
// WithObservationOptions carries options of package observe to every
// observation the transport starts: the capture switches
// (observe.CaptureInput(false), observe.CaptureOutput(false)), metadata,
// version. The client's masks and size limits apply to what is recorded.
//
//	rt := langfusegenai.NewTransport(nil, langfusegenai.WithObservationOptions(
//		observe.CaptureInput(false), observe.WithMetadata(map[string]any{"feature": "search"})))
package langfusegenai
