package langfusegenai

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Inline media (images, audio, PDFs sent as base64 in inlineData) would
// fill the input or output up to the capture limit with base64 and hide
// the text beside it, so its data is recorded as a note of its size.

var (
	inlineDataKey      = []byte(`"inlineData"`)
	inlineDataSnakeKey = []byte(`"inline_data"`)
)

// hasInlineData reports whether raw may hold inline media.
func hasInlineData(raw []byte) bool {
	return bytes.Contains(raw, inlineDataKey) || bytes.Contains(raw, inlineDataSnakeKey)
}

// withoutInlineData returns raw as it is when it holds no inline media,
// else its value with the data of each inlineData replaced by a note.
func withoutInlineData(raw json.RawMessage) any {
	if !hasInlineData(raw) {
		return raw
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	return replaceInlineData(v, 0)
}

// maxDepth bounds the walk of a value decoded from JSON.
const maxDepth = 64

func replaceInlineData(v any, depth int) any {
	if depth > maxDepth {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "inlineData" || k == "inline_data" {
				if m, ok := e.(map[string]any); ok {
					noteData(m)
					continue
				}
			}
			x[k] = replaceInlineData(e, depth+1)
		}
	case []any:
		for i, e := range x {
			x[i] = replaceInlineData(e, depth+1)
		}
	}
	return v
}

// noteData replaces the base64 data of an inlineData object by its size.
func noteData(m map[string]any) {
	data, ok := m["data"].(string)
	if !ok {
		return
	}
	mime, _ := m["mimeType"].(string)
	if mime == "" {
		mime, _ = m["mime_type"].(string)
	}
	if mime == "" {
		mime = "inline data"
	}
	// base64 holds 3 bytes in 4 characters, less its padding
	n := len(data) / 4 * 3
	if len(data) >= 2 && data[len(data)-1] == '=' {
		n--
		if data[len(data)-2] == '=' {
			n--
		}
	}
	m["data"] = fmt.Sprintf("[%s, %d bytes]", mime, n)
}
