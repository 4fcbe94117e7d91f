package config_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/config"
)

// docDefaults reads the variables table of the package doc: variable name
// to default, "" for none.
func docDefaults(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	row := regexp.MustCompile(`(?m)^//\t(LANGFUSE_\w+)\s+\S+\s+(\S+(?: default\))?)`)
	out := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(src), -1) {
		out[m[1]] = none(m[2])
	}
	require.NotEmpty(t, out, "the package doc has a table of variables")
	return out
}

// readmeDefaults reads the configuration table of the README the same way.
func readmeDefaults(t *testing.T) (map[string]string, string) {
	t.Helper()
	src, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `(LANGFUSE_\\w+)` \\| (`[^`]*`)? ?\\|")
	out := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(src), -1) {
		out[m[1]] = none(strings.Trim(m[2], "`"))
	}
	require.NotEmpty(t, out, "the README has a table of variables")
	return out, string(src)
}

func none(s string) string {
	if s == "(none)" || s == "(server default)" {
		return ""
	}
	return s
}

// TestDocsAgreeOnDefaults holds go doc config, the README and Default
// together: every variable is in both with the same default, and that is
// the default Default gives.
func TestDocsAgreeOnDefaults(t *testing.T) {
	doc := docDefaults(t)
	readme, text := readmeDefaults(t)
	for name, def := range doc {
		if got, ok := readme[name]; ok {
			assert.Equal(t, def, got, "default of %s: go doc says %q, the README %q", name, def, got)
		} else {
			assert.Contains(t, text, "`"+name+"`", "%s is in go doc config but not in the README", name)
		}
	}
	for name := range readme {
		assert.Contains(t, doc, name, "%s is in the README but not in go doc config", name)
	}

	d := config.Default()
	secs := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	for name, want := range map[string]string{
		config.EnvBaseURL:          d.BaseURL,
		config.EnvTracingEnabled:   strconv.FormatBool(d.TracingEnabled),
		config.EnvSampleRate:       secs(d.SampleRate),
		config.EnvFlushAt:          strconv.Itoa(d.FlushAt),
		config.EnvFlushInterval:    secs(d.FlushInterval.Seconds()),
		config.EnvTimeout:          secs(d.Timeout.Seconds()),
		config.EnvDebug:            strconv.FormatBool(d.Debug),
		config.EnvIOCaptureEnabled: strconv.FormatBool(d.IOCaptureEnabled),
		config.EnvCaptureMaxBytes:  strconv.Itoa(d.CaptureMaxBytes),
		config.EnvMaxQueueSize:     strconv.Itoa(d.MaxQueueSize),
		config.EnvExportMode:       string(d.ExportMode),
		config.EnvGzip:             strconv.FormatBool(d.Gzip),
		config.EnvPromptCacheTTL:   secs(d.PromptCacheTTL.Seconds()),
	} {
		assert.Equal(t, want, doc[name], "go doc config's default of %s is not Default's", name)
	}
}
