package capture_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/observe-go/langfuse/capture"
)

type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type Node struct {
	Name string
	Next *Node
}

func Example() {
	o := capture.Options{MaxBytes: 64}

	fmt.Println(capture.String("Hi there", o))
	fmt.Println(capture.String([]Message{{Role: "user", Content: "Hi"}}, o))
	fmt.Println(capture.JSON(map[string]any{"temperature": 0.2, "stop": []string{"\n"}}, o))
	fmt.Println(capture.JSON(errors.New("rate limited"), o))
	fmt.Println(capture.String(strings.Repeat("long ", 30), o))

	loop := &Node{Name: "loop"}
	loop.Next = loop
	fmt.Println(capture.JSON(loop, o))
	// Output:
	// Hi there
	// [{"role":"user","content":"Hi"}]
	// {"stop":["\n"],"temperature":0.2}
	// "rate limited"
	// long long long long long long long long ...<truncated 110 bytes>
	// {"Name":"loop","Next":"<cycle *capture_test.Node>"}
}

func Example_mask() {
	redact := func(v any) any {
		if m, ok := v.(map[string]any); ok {
			out := make(map[string]any, len(m))
			for k, x := range m {
				out[k] = x
			}
			out["email"] = "[hidden]"
			return out
		}
		return v
	}
	o := capture.Options{Mask: redact}
	fmt.Println(capture.JSON(map[string]any{"email": "ada@example.com", "model": "gpt-4o"}, o))

	broken := capture.Options{Mask: func(any) any { panic("bug in the mask") }}
	fmt.Println(capture.String("ada@example.com", broken))
	// Output:
	// {"email":"[hidden]","model":"gpt-4o"}
	// <mask failed>
}
