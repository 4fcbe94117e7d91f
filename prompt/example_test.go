package prompt_test

import (
	"fmt"

	"github.com/observe-go/langfuse/prompt"
)

func ExamplePrompt_Compile() {
	p := &prompt.Prompt{Name: "greet", Version: 2, Type: prompt.TypeText, Text: "Answer {{ user }} in {{language}}."}
	fmt.Println(p.Variables())

	text, err := p.Compile(map[string]any{"user": "Ada", "language": "French"})
	fmt.Println(text, err)

	text, err = p.Compile(map[string]any{"user": "Ada"})
	fmt.Println(text)
	fmt.Println(err)
	// Output:
	// [user language]
	// Answer Ada in French. <nil>
	// Answer Ada in {{language}}.
	// prompt: missing variable: prompt "greet" needs language
}

func ExamplePrompt_CompileChat() {
	p := &prompt.Prompt{Name: "support", Type: prompt.TypeChat, Messages: []prompt.Message{
		{Role: "system", Content: "You are the support agent of {{product}}."},
		{Placeholder: "history"},
		{Role: "user", Content: "{{question}}"},
	}}
	msgs, err := p.CompileChat(
		map[string]any{"product": "Langfuse", "question": "How do I score a trace?"},
		map[string][]prompt.Message{"history": {{Role: "user", Content: "Hi"}, {Role: "assistant", Content: "Hello!"}}},
	)
	fmt.Println(err)
	for _, m := range msgs {
		fmt.Printf("%s: %s\n", m.Role, m.Content)
	}
	// Output:
	// <nil>
	// system: You are the support agent of Langfuse.
	// user: Hi
	// assistant: Hello!
	// user: How do I score a trace?
}
