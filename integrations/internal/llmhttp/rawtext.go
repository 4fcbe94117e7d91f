package llmhttp

import "strings"

// maxRawText bounds the text of a body that is not the JSON it should be.
const maxRawText = 16 << 10

// RawText is a body that could not be read as the JSON it should be, as
// text for the record: cut at 16 KiB with a marker, invalid UTF-8
// replaced. The copy keeps nothing of body.
func RawText(body []byte) string {
	if len(body) > maxRawText {
		return strings.ToValidUTF8(string(body[:maxRawText]), "\uFFFD") + "…[cut]"
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

// maxErrorText bounds the text of an error that is not the API's JSON.
const maxErrorText = 512

// ErrorText is the text of an error as it is recorded when it is not
// the API's JSON (a proxy's error page, a plain-text message): trimmed,
// cut at 512 bytes with an ellipsis, invalid UTF-8 replaced.
func ErrorText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxErrorText {
		s = s[:maxErrorText] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
