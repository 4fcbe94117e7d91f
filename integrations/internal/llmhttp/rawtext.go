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
