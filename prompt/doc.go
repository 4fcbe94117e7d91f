// Package prompt holds prompts managed in Langfuse: versioned text and
// chat templates that a team edits and promotes with labels in Langfuse,
// and that a program fetches at run time instead of keeping them in code.
//
// Fetch one with langfuse.GetPrompt (through the client of a ctx) or
// Client.Prompt, fill in its {{variables}} with Compile or CompileChat, and
// link the generation that uses it with observe.FromPrompt, so Langfuse
// shows cost and quality per prompt version:
//
//	p, err := langfuse.GetPrompt(ctx, "support/answer", prompt.Fallback(defaultAnswer))
//	if err != nil {
//		return err
//	}
//	text, err := p.Compile(map[string]any{"question": q})
//	...
//	ctx, gen := observe.Start(ctx, "llm", observe.AsType(observe.TypeGeneration), observe.FromPrompt(p))
//
// # Templates
//
// A variable is written {{name}}; spaces inside the braces are ignored
// ({{ name }} is the same variable). Compile replaces each variable given
// in vars with its text: a string as it is, nil as "", a number or bool
// as Go formats it, a fmt.Stringer by its String method, anything else as
// JSON. A variable not in vars is left in the text as it was written, as
// the Python SDK does, and Compile reports it in an error wrapping
// ErrMissingVariable, so a caller can choose to send the text anyway or
// fail. Nothing else of Mustache (sections, escaping) is interpreted.
//
// A chat prompt may hold placeholders: entries that stand for a list of
// messages given at compile time (the conversation so far, few-shot
// examples). CompileChat puts the messages of each placeholder in its
// place, then compiles the variables of every message.
//
// This package holds values and the template language only; it reads
// nothing from the network. Its types are safe to share once built: the
// methods of Prompt never modify it.
package prompt
