package langfusegenai

import (
	"bytes"
	"encoding/json"
	"errors"

	gojson "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// maxRawText bounds the raw text recorded in place of a body that is not
// the JSON this package expects.
const maxRawText = 4 << 10

// generateRequest holds the fields of a GenerateContentRequest that are
// recorded; each is kept as the JSON it was sent as.
type generateRequest struct {
	Contents          json.RawMessage            `json:"contents"`
	SystemInstruction *systemInstruction         `json:"systemInstruction"`
	GenerationConfig  map[string]json.RawMessage `json:"generationConfig"`
	Tools             json.RawMessage            `json:"tools"`
	ToolConfig        json.RawMessage            `json:"toolConfig"`
	SafetySettings    json.RawMessage            `json:"safetySettings"`
	CachedContent     string                     `json:"cachedContent"`
	Labels            json.RawMessage            `json:"labels"`
}

type systemInstruction struct {
	Parts json.RawMessage `json:"parts"`
}

// message is a content of the input: the system instruction as a message
// of role "system" before the contents as they were sent.
type message struct {
	Role  string          `json:"role"`
	Parts json.RawMessage `json:"parts"`
}

// Request reads a generateContent, streamGenerateContent, embedContent or
// batchEmbedContents request body.
func (provider) Request(op llmhttp.Operation, body []byte) llmhttp.Request {
	switch op.Kind {
	case kindEmbed, kindBatchEmbed:
		return embedRequest(op, body)
	}
	var req generateRequest
	if err := decode(body, &req); err != nil {
		return llmhttp.Request{Input: rawText(body)}
	}
	r := llmhttp.Request{Params: make(map[string]any, len(req.GenerationConfig)+4)}
	for k, v := range req.GenerationConfig {
		r.Params[k] = v
	}
	setRaw(r.Params, "tools", req.Tools)
	setRaw(r.Params, "toolConfig", req.ToolConfig)
	setRaw(r.Params, "safetySettings", req.SafetySettings)
	if req.CachedContent != "" {
		r.Params["cachedContent"] = req.CachedContent
	}
	if isSet(req.Labels) {
		r.Metadata = map[string]any{"labels": req.Labels}
	}
	r.Input = input(req)
	return r
}

// input is the contents as sent, with the system instruction first as a
// message of role "system" when there is one.
func input(req generateRequest) any {
	if req.SystemInstruction == nil || !isSet(req.SystemInstruction.Parts) {
		if !isSet(req.Contents) {
			return nil
		}
		return withoutInlineData(req.Contents)
	}
	var contents []json.RawMessage
	if isSet(req.Contents) && decode(req.Contents, &contents) != nil {
		// contents is not a list: keep both as they were sent
		return map[string]any{"systemInstruction": req.SystemInstruction, "contents": req.Contents}
	}
	in := make([]any, 0, len(contents)+1)
	in = append(in, message{Role: "system", Parts: req.SystemInstruction.Parts})
	for _, c := range contents {
		in = append(in, withoutInlineData(c))
	}
	return in
}

// errInvalid is what decode returns for a body that is not valid JSON.
var errInvalid = errors.New("not valid JSON")

// decode unmarshals the JSON text data into v. data is checked with
// encoding/json first, because github.com/goccy/go-json, several times
// faster at decoding, hands some invalid text to a json.RawMessage as it
// is.
func decode(data []byte, v any) error {
	if !json.Valid(data) {
		return errInvalid
	}
	return gojson.Unmarshal(data, v)
}

func setRaw(m map[string]any, k string, v json.RawMessage) {
	if isSet(v) {
		m[k] = v
	}
}

// isSet reports whether v holds a value other than null.
func isSet(v json.RawMessage) bool {
	return len(v) > 0 && !bytes.Equal(v, []byte("null"))
}

// rawText is body as text, cut at maxRawText bytes, for a body that is not
// the expected JSON. The copy keeps no reference to body.
func rawText(body []byte) string {
	if len(body) > maxRawText {
		return string(body[:maxRawText]) + "…[truncated]"
	}
	return string(body)
}
