package langfusemcp

import (
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// toolOutput is what a tool call records as its output: the result as it
// travels, without its _meta. It is made of plain fields, not of the SDK's
// content types, so that the capture of a large answer stops at the
// client's capture limit instead of marshalling the whole answer first.
type toolOutput struct {
	Content           []any `json:"content"` // contentView, or a content type this package does not know
	StructuredContent any   `json:"structuredContent,omitempty"`
	IsError           bool  `json:"isError,omitempty"`
}

// contentView is one content item of a result, in its wire form.
type contentView struct {
	Type        string                `json:"type"`
	Text        string                `json:"text,omitempty"`
	MIMEType    string                `json:"mimeType,omitempty"`
	Data        []byte                `json:"data,omitempty"` // image and audio: base64 in the trace, cut at the capture limit
	URI         string                `json:"uri,omitempty"`
	Name        string                `json:"name,omitempty"`
	Title       string                `json:"title,omitempty"`
	Description string                `json:"description,omitempty"`
	Size        *int64                `json:"size,omitempty"`
	Resource    *mcp.ResourceContents `json:"resource,omitempty"`
}

// outputOf returns the output recorded for res.
func outputOf(res *mcp.CallToolResult) toolOutput {
	out := toolOutput{
		Content:           make([]any, 0, len(res.Content)),
		StructuredContent: res.StructuredContent,
		IsError:           res.IsError,
	}
	for _, c := range res.Content {
		out.Content = append(out.Content, viewOf(c))
	}
	return out
}

// viewOf returns the view of c; a content type this package does not
// know is recorded as the SDK marshals it.
func viewOf(c mcp.Content) any {
	switch c := c.(type) {
	case *mcp.TextContent:
		if c != nil {
			return contentView{Type: "text", Text: c.Text}
		}
	case *mcp.ImageContent:
		if c != nil {
			return contentView{Type: "image", MIMEType: c.MIMEType, Data: c.Data}
		}
	case *mcp.AudioContent:
		if c != nil {
			return contentView{Type: "audio", MIMEType: c.MIMEType, Data: c.Data}
		}
	case *mcp.ResourceLink:
		if c != nil {
			return contentView{Type: "resource_link", URI: c.URI, Name: c.Name, Title: c.Title,
				Description: c.Description, MIMEType: c.MIMEType, Size: c.Size}
		}
	case *mcp.EmbeddedResource:
		if c != nil {
			return contentView{Type: "resource", Resource: c.Resource}
		}
	case nil:
		return nil
	default:
		return c
	}
	return nil // a nil pointer of a known type
}

// maxStatus is the longest status message taken from a tool's answer:
// the message says what went wrong, the output holds the whole answer.
const maxStatus = 1024

// toolErrorMessage is the status message of a result with isError set:
// the text of its text content, cut at maxStatus, or a placeholder when
// it has none.
func toolErrorMessage(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		t, ok := c.(*mcp.TextContent)
		if !ok || t == nil || t.Text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if room := maxStatus - b.Len(); len(t.Text) > room {
			b.WriteString(clip(t.Text, room))
			b.WriteString("…")
			break
		}
		b.WriteString(t.Text)
	}
	if b.Len() == 0 {
		return "the tool reported an error (isError) without text"
	}
	return b.String()
}

// clip returns the longest prefix of s of at most n bytes that does not
// split a UTF-8 sequence.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// maxName is the longest observation name taken from a tool name. MCP
// tool names are at most 128 characters; a server gets its names from
// the caller, so a longer one is cut.
const maxName = 256

// observationName is the name of the observation of a call of tool.
func observationName(tool string) string {
	if tool == "" {
		return "tools/call"
	}
	if len(tool) > maxName {
		tool = clip(tool, maxName) + "…"
	}
	if !utf8.ValidString(tool) {
		// A span with invalid UTF-8 cannot be encoded for export.
		tool = strings.ToValidUTF8(tool, "\uFFFD")
	}
	return tool
}
