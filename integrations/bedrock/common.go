package langfusebedrock

import (
	"strings"

	json "github.com/goccy/go-json"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

// apiError is the body of an error response, and the payload of an
// exception in a stream: {"message": "..."}, with the exception's type in
// "__type" or "code" when the server puts it there (the type travels in
// the X-Amzn-ErrorType header otherwise, recorded with the HTTP status).
type apiError struct {
	Message  string `json:"message"`
	MessageU string `json:"Message"`
	Type     string `json:"__type"`
	Code     string `json:"code"`
}

func (e apiError) String() string {
	msg := e.Message
	if msg == "" {
		msg = e.MessageU
	}
	typ := e.Type
	if typ == "" {
		typ = e.Code
	}
	if i := strings.LastIndexByte(typ, '#'); i >= 0 {
		typ = typ[i+1:] // "com.amazon.coral.service#ThrottlingException"
	}
	switch {
	case typ != "" && msg != "":
		return typ + ": " + msg
	case msg != "":
		return msg
	default:
		return typ
	}
}

// ErrorMessage returns the message of an error response, such as "Too
// many requests, please wait before trying again.", or the start of the
// body when it is not the API's JSON (a proxy's error page).
func (provider) ErrorMessage(_ int, body []byte) string {
	var e apiError
	if err := json.Unmarshal(body, &e); err == nil {
		if s := e.String(); s != "" {
			return s
		}
	}
	return llmhttp.ErrorText(string(body))
}

// exceptionMessage is the error an exception or error message of a stream
// records: its type and the message of its payload.
func exceptionMessage(typ string, payload []byte) string {
	var e apiError
	if json.Unmarshal(payload, &e) == nil {
		e.Type, e.Code = "", ""
		if m := e.String(); m != "" {
			return typ + ": " + m
		}
	}
	if len(payload) > 0 && !json.Valid(payload) {
		return typ + ": " + llmhttp.RawText(payload)
	}
	return typ
}

// counted returns the counts in d, with "total" the sum of those marked
// for it when total is nil; nil when there are none. Negative counts are
// left out.
func counted(total *int64, counts ...count) map[string]int {
	d := make(map[string]int, len(counts)+1)
	sum, found := 0, false
	for _, c := range counts {
		if c.v == nil || *c.v < 0 {
			continue
		}
		d[c.key] = int(*c.v)
		sum += int(*c.v)
		found = true
	}
	if !found {
		return nil
	}
	if total != nil && *total >= 0 {
		sum = int(*total)
	}
	d["total"] = sum
	return d
}

type count struct {
	key string
	v   *int64
}
