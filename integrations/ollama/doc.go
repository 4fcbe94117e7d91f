// Package langfuseollama records the calls a program makes to Ollama's
// native API as Langfuse observations, at the HTTP transport: the program
// keeps calling Ollama through its client as before, with only the
// client's transport replaced.
//
// With Ollama's own Go client (github.com/ollama/ollama/api):
//
//	base, _ := url.Parse("http://127.0.0.1:11434")
//	client := api.NewClient(base, &http.Client{Transport: langfuseollama.NewTransport(nil)})
//	ctx, span := observe.Start(ctx, "answer-question")
//	defer span.End()
//	err := client.Chat(ctx, &api.ChatRequest{
//		Model:    "llama3.2",
//		Messages: []api.Message{{Role: "user", Content: "Hi"}},
//	}, func(r api.ChatResponse) error { fmt.Print(r.Message.Content); return nil })
//
// Any other client of the API (plain net/http among them) works the same
// way: calls are recognised by the end of their URL path, whatever the
// base URL. Ollama's OpenAI-compatible API (/v1/chat/completions,
// /v1/embeddings, ...) is recorded by langfuseopenai's transport instead,
// as any OpenAI-compatible server is.
//
// # What is recorded
//
// Each model call, each HTTP request, is one observation, a child of the
// observation in the request's context.
//
//   - POST .../api/chat: a generation named "ollama.chat". Input: the
//     messages. Output: the assistant message (content, thinking, tool
//     calls).
//   - POST .../api/generate: a generation named "ollama.generate". Input:
//     the prompt, or the system prompt and the prompt (with its images) as
//     a system and a user message when the request has them. Output: the
//     text, or {"response", "thinking"} when the model thought. The
//     context (token ids) is not recorded.
//   - POST .../api/embed: an observation of type embedding named
//     "ollama.embed". Input: the input text(s). Output: not the vectors
//     but {"embeddings": N, "dimensions": D}.
//
// The model is the one the answer names, else the request's. Each entry
// of the request's options (temperature, num_ctx, num_predict, seed, stop,
// ...) is a model parameter, beside stream, format, keep_alive, think,
// tools, raw, suffix, truncate, shift, dimensions, logprobs and
// top_logprobs as the request wrote them. Usage is "input"
// (prompt_eval_count), "output" (eval_count) and "total", their sum. The
// done reason and the timings Ollama reports are metadata, in nanoseconds
// under Ollama's names: total_duration, load_duration,
// prompt_eval_duration, eval_duration.
//
// Streamed answers (newline-delimited JSON, application/x-ndjson, which
// Ollama sends unless the request sets "stream": false) are followed as
// they pass: the text, thinking and tool calls are accumulated from the
// lines, the usage and timings are taken from the last line ("done":
// true), and the completion start time is the arrival of the first line.
// A stream that the caller closes, or whose request's context it cancels,
// before its last line, or whose body ends without it, is recorded at
// level WARNING with what had arrived; one whose connection fails is
// recorded at level ERROR. A response body the caller drops without
// reading it to its end or closing it is recorded at level WARNING when it
// is garbage-collected. An error answer ({"error": "..."} with an error
// status) and an error line in a stream are recorded at level ERROR with
// Ollama's message.
//
// Request headers, and so the keys of a proxy in front of Ollama or of
// ollama.com, are never recorded, and their values are taken out of
// everything recorded from the answer.
//
// # Guarantees
//
// The response body is passed to the client unchanged and unbuffered:
// every byte as it arrives, so the transport adds no latency to the first
// token. A stream holds no more of its answer than the client records of
// an output (LANGFUSE_CAPTURE_MAX_BYTES, 1 MiB unless set), whatever its
// length: past that the output is recorded cut, with the metadata
// langfuse_output_cut, and the last line's usage and timings and errors
// are still read (WithCaptureMaxBytes sets the cap for a client whose cap
// is set in code). The request body is read before it is sent and handed
// on whole. When tracing is off, or the context has no client, the
// transport is a pass-through.
//
// # Options
//
// WithObservationOptions carries options of package observe to every
// observation the transport starts: the capture switches
// (observe.CaptureInput(false), observe.CaptureOutput(false)), metadata,
// version. The client's masks and size limits apply to what is recorded.
package langfuseollama
