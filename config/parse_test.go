package config_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/config"
)

func TestFromLookupUnset(t *testing.T) {
	tests := []struct {
		name   string
		lookup func(string) (string, bool)
	}{
		{"nil lookup", nil},
		{"empty environment", env{}.lookup},
		{"all empty", func(string) (string, bool) { return "", true }},
		{"all blank", func(string) (string, bool) { return " \t\r\n", true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.FromLookup(tt.lookup)
			require.NoError(t, err)
			assert.Equal(t, config.Default(), c)
		})
	}
}

func TestFromLookupValid(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want func(*config.Config)
	}{
		{"keys trimmed", env{config.EnvPublicKey: " pk-lf-1\n", config.EnvSecretKey: "\tsk-lf-1 "},
			func(c *config.Config) { c.PublicKey, c.SecretKey = "pk-lf-1", "sk-lf-1" }},
		{"blank keys are no keys", env{config.EnvPublicKey: "   ", config.EnvSecretKey: "\t"},
			func(*config.Config) {}},
		{"base url", env{config.EnvBaseURL: "https://us.cloud.langfuse.com"},
			func(c *config.Config) { c.BaseURL = "https://us.cloud.langfuse.com" }},
		{"base url trailing slashes", env{config.EnvBaseURL: " http://localhost:3000// "},
			func(c *config.Config) { c.BaseURL = "http://localhost:3000" }},
		{"base url path prefix", env{config.EnvBaseURL: "https://example.com/langfuse/"},
			func(c *config.Config) { c.BaseURL = "https://example.com/langfuse" }},
		{"tracing disabled", env{config.EnvTracingEnabled: "false"},
			func(c *config.Config) { c.TracingEnabled = false }},
		{"environment", env{config.EnvEnvironment: " staging_2-eu "},
			func(c *config.Config) { c.Environment = "staging_2-eu" }},
		{"environment 40", env{config.EnvEnvironment: strings.Repeat("x", 40)},
			func(c *config.Config) { c.Environment = strings.Repeat("x", 40) }},
		{"release", env{config.EnvRelease: " v1.2.3 (abc) "},
			func(c *config.Config) { c.Release = "v1.2.3 (abc)" }},
		{"sample rate 0", env{config.EnvSampleRate: "0"},
			func(c *config.Config) { c.SampleRate = 0 }},
		{"sample rate fraction", env{config.EnvSampleRate: "0.25"},
			func(c *config.Config) { c.SampleRate = 0.25 }},
		{"sample rate 1", env{config.EnvSampleRate: "1.0"},
			func(c *config.Config) { c.SampleRate = 1 }},
		{"flush at", env{config.EnvFlushAt: "10"},
			func(c *config.Config) { c.FlushAt = 10 }},
		{"flush at 1", env{config.EnvFlushAt: "1"},
			func(c *config.Config) { c.FlushAt = 1 }},
		{"flush interval whole", env{config.EnvFlushInterval: "2"},
			func(c *config.Config) { c.FlushInterval = 2 * time.Second }},
		{"flush interval fraction", env{config.EnvFlushInterval: "0.5"},
			func(c *config.Config) { c.FlushInterval = 500 * time.Millisecond }},
		{"flush interval at min", env{config.EnvFlushInterval: "0.01"},
			func(c *config.Config) { c.FlushInterval = 10 * time.Millisecond }},
		{"timeout", env{config.EnvTimeout: "30"},
			func(c *config.Config) { c.Timeout = 30 * time.Second }},
		{"timeout rounded to ns", env{config.EnvTimeout: "0.1"},
			func(c *config.Config) { c.Timeout = 100 * time.Millisecond }},
		{"timeout at max", env{config.EnvTimeout: "3600"},
			func(c *config.Config) { c.Timeout = time.Hour }},
		{"debug", env{config.EnvDebug: "true"},
			func(c *config.Config) { c.Debug = true }},
		{"io capture disabled", env{config.EnvIOCaptureEnabled: "false"},
			func(c *config.Config) { c.IOCaptureEnabled = false }},
		{"capture max bytes", env{config.EnvCaptureMaxBytes: "4096"},
			func(c *config.Config) { c.CaptureMaxBytes = 4096 }},
		{"max queue size", env{config.EnvMaxQueueSize: "100000"},
			func(c *config.Config) { c.MaxQueueSize = 100000 }},
		{"export mode immediate", env{config.EnvExportMode: "immediate"},
			func(c *config.Config) { c.ExportMode = config.ExportImmediate }},
		{"export mode any case", env{config.EnvExportMode: " IMMEDIATE "},
			func(c *config.Config) { c.ExportMode = config.ExportImmediate }},
		{"export mode batched", env{config.EnvExportMode: "Batched"},
			func(c *config.Config) { c.ExportMode = config.ExportBatched }},
		{"gzip", env{config.EnvGzip: "on"},
			func(c *config.Config) { c.Gzip = true }},
		{"prompt cache ttl", env{config.EnvPromptCacheTTL: "300"},
			func(c *config.Config) { c.PromptCacheTTL = 5 * time.Minute }},
		{"prompt cache off", env{config.EnvPromptCacheTTL: "0"},
			func(c *config.Config) { c.PromptCacheTTL = 0 }},
		{"prompt cache ttl fraction", env{config.EnvPromptCacheTTL: "1.5"},
			func(c *config.Config) { c.PromptCacheTTL = 1500 * time.Millisecond }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := config.Default()
			tt.want(&want)
			got, err := config.FromLookup(tt.env.lookup)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.NoError(t, got.Validate())
		})
	}
}

func TestFromLookupBooleans(t *testing.T) {
	spellings := map[string]bool{
		"true": true, "TRUE": true, "True": true, "1": true,
		"yes": true, "YES": true, "Yes": true, "on": true, "ON": true, "On": true,
		"false": false, "FALSE": false, "False": false, "0": false,
		"no": false, "NO": false, "No": false, "off": false, "OFF": false, "Off": false,
		" true ": true, "\toff\n": false,
	}
	fields := map[string]func(config.Config) bool{
		config.EnvTracingEnabled:   func(c config.Config) bool { return c.TracingEnabled },
		config.EnvDebug:            func(c config.Config) bool { return c.Debug },
		config.EnvIOCaptureEnabled: func(c config.Config) bool { return c.IOCaptureEnabled },
		config.EnvGzip:             func(c config.Config) bool { return c.Gzip },
	}
	for name, field := range fields {
		for value, want := range spellings {
			t.Run(name+"="+value, func(t *testing.T) {
				c, err := config.FromLookup(env{name: value}.lookup)
				require.NoError(t, err)
				assert.Equal(t, want, field(c))
			})
		}
		for _, value := range []string{"t", "f", "y", "n", "2", "-1", "enabled", "truee", "o n"} {
			t.Run(name+"="+value, func(t *testing.T) {
				c, err := config.FromLookup(env{name: value}.lookup)
				require.Error(t, err)
				assert.ErrorIs(t, err, config.ErrInvalid)
				switch name {
				case config.EnvTracingEnabled:
					assert.Equal(t, name+"=\""+value+"\": not a boolean (true/false, 1/0, yes/no, on/off); tracing is off", err.Error())
					assert.False(t, field(c), "a bad switch of tracing turns it off")
					assert.ErrorIs(t, err, config.ErrDestination)
					return
				case config.EnvIOCaptureEnabled:
					assert.Equal(t, name+"=\""+value+"\": not a boolean (true/false, 1/0, yes/no, on/off); input and output capture is off", err.Error())
					assert.False(t, field(c), "a bad switch of capture turns it off")
					assert.NotErrorIs(t, err, config.ErrDestination)
					return
				}
				assert.Equal(t, name+"=\""+value+"\": not a boolean (true/false, 1/0, yes/no, on/off)", err.Error())
				assert.Equal(t, field(config.Default()), field(c), "default kept")
				assert.NotErrorIs(t, err, config.ErrDestination)
			})
		}
	}
}

func TestFromLookupBaseURLPrecedence(t *testing.T) {
	tests := []struct {
		name    string
		env     env
		want    string
		wantErr string
	}{
		{"neither", env{}, config.DefaultBaseURL, ""},
		{"host only", env{config.EnvHost: "http://host:3000/"}, "http://host:3000", ""},
		{"base url only", env{config.EnvBaseURL: "http://base:3000"}, "http://base:3000", ""},
		{"both: base url wins",
			env{config.EnvBaseURL: "http://base:3000", config.EnvHost: "http://host:3000"},
			"http://base:3000", ""},
		{"empty base url falls back to host",
			env{config.EnvBaseURL: "", config.EnvHost: "http://host:3000"},
			"http://host:3000", ""},
		{"blank base url falls back to host",
			env{config.EnvBaseURL: "  ", config.EnvHost: "http://host:3000"},
			"http://host:3000", ""},
		{"bad host is blamed",
			env{config.EnvHost: "localhost:3000"},
			"", `LANGFUSE_HOST="localhost:3000": not an absolute http or https URL`},
		{"bad base url wins over good host",
			env{config.EnvBaseURL: "ftp://base", config.EnvHost: "http://host:3000"},
			"", `LANGFUSE_BASE_URL="ftp://base": not an absolute http or https URL`},
		{"bad host ignored when base url set",
			env{config.EnvBaseURL: "http://base:3000", config.EnvHost: "nonsense"},
			"http://base:3000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.FromLookup(tt.env.lookup)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.ErrorIs(t, err, config.ErrInvalid)
				assert.Equal(t, tt.wantErr, err.Error())
			}
			assert.Equal(t, tt.want, c.BaseURL)
		})
	}
}

func TestFromLookupInvalid(t *testing.T) {
	tests := []struct {
		name, value string
		wantErr     string // after `NAME="value": `
	}{
		{config.EnvBaseURL, "cloud.langfuse.com", "not an absolute http or https URL"},
		{config.EnvBaseURL, "https://", "not an absolute http or https URL"},
		{config.EnvBaseURL, "https:///", "not an absolute http or https URL"},
		{config.EnvBaseURL, "http://exa mple.com", "not an absolute http or https URL"},
		{config.EnvBaseURL, "http://example.com/%zz", "not an absolute http or https URL"},
		{config.EnvBaseURL, "https://example.com/?", "has a query or fragment"},
		{config.EnvBaseURL, "https://example.com/#x", "has a query or fragment"},
		{config.EnvBaseURL, "https://user@example.com", "user info is not allowed (keys go in LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY)"},
		{config.EnvBaseURL, "https://example.com:65536", "has an invalid port"},
		{config.EnvEnvironment, "Production", "not only a-z, 0-9, '_' and '-'"},
		{config.EnvEnvironment, "prod env", "not only a-z, 0-9, '_' and '-'"},
		{config.EnvEnvironment, "prød", "not only a-z, 0-9, '_' and '-'"},
		{config.EnvEnvironment, strings.Repeat("x", 41), "longer than 40 characters"},
		{config.EnvEnvironment, "langfuse", `starts with the reserved prefix "langfuse"`},
		{config.EnvEnvironment, "langfuse_prod", `starts with the reserved prefix "langfuse"`},
		{config.EnvSampleRate, "abc", "not a number in [0, 1]"},
		{config.EnvSampleRate, "-0.1", "not a number in [0, 1]"},
		{config.EnvSampleRate, "1.0001", "not a number in [0, 1]"},
		{config.EnvSampleRate, "NaN", "not a number in [0, 1]"},
		{config.EnvSampleRate, "Inf", "not a number in [0, 1]"},
		{config.EnvSampleRate, "1e400", "not a number in [0, 1]"},
		{config.EnvSampleRate, "50%", "not a number in [0, 1]"},
		{config.EnvFlushAt, "0", "not an integer in [1, 65536]"},
		{config.EnvFlushAt, "-5", "not an integer in [1, 65536]"},
		{config.EnvFlushAt, "1.5", "not an integer in [1, 65536]"},
		{config.EnvFlushAt, "1e3", "not an integer in [1, 65536]"},
		{config.EnvFlushAt, "99999999999999999999", "not an integer in [1, 65536]"},
		{config.EnvCaptureMaxBytes, "1MiB", "not an integer in [1, 67108864]"},
		{config.EnvCaptureMaxBytes, "-9223372036854775809", "not an integer in [1, 67108864]"},
		{config.EnvMaxQueueSize, "0", "not an integer in [1, 1048576]"},
		{config.EnvMaxQueueSize, "many", "not an integer in [1, 1048576]"},
		{config.EnvFlushInterval, "abc", "not a number of seconds in [0.01, 86400]"},
		{config.EnvFlushInterval, "5s", "not a number of seconds in [0.01, 86400]"},
		{config.EnvFlushInterval, "0", "not a number of seconds in [0.01, 86400]"},
		{config.EnvFlushInterval, "-1", "not a number of seconds in [0.01, 86400]"},
		{config.EnvFlushInterval, "NaN", "not a number of seconds in [0.01, 86400]"},
		{config.EnvFlushInterval, "1e-10", "not a number of seconds in [0.01, 86400]"},
		{config.EnvTimeout, "+Inf", "not a number of seconds in [0.001, 3600]"},
		{config.EnvTimeout, "1e10", "not a number of seconds in [0.001, 3600]"},
		{config.EnvTimeout, "9223372037", "not a number of seconds in [0.001, 3600]"},
		{config.EnvTimeout, "1e400", "not a number of seconds in [0.001, 3600]"},
		{config.EnvTimeout, "-1e400", "not a number of seconds in [0.001, 3600]"},
		{config.EnvTimeout, "1e-400", "not a number of seconds in [0.001, 3600]"},
		{config.EnvFlushAt, "1000000000000", "not an integer in [1, 65536]"},
		{config.EnvMaxQueueSize, "1000000000000", "not an integer in [1, 1048576]"},
		{config.EnvCaptureMaxBytes, "1000000000000", "not an integer in [1, 67108864]"},
		{config.EnvTimeout, "5000000000", "not a number of seconds in [0.001, 3600]"},
		{config.EnvFlushInterval, "0.000000001", "not a number of seconds in [0.01, 86400]"},
		{config.EnvExportMode, "async", `not "batched" or "immediate"`},
		{config.EnvExportMode, "batch", `not "batched" or "immediate"`},
		{config.EnvPromptCacheTTL, "-1", "not a number of seconds in [0, 86400]"},
		{config.EnvPromptCacheTTL, "86401", "not a number of seconds in [0, 86400]"},
		{config.EnvPromptCacheTTL, "1m", "not a number of seconds in [0, 86400]"},
		{config.EnvPromptCacheTTL, "NaN", "not a number of seconds in [0, 86400]"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			c, err := config.FromLookup(env{tt.name: tt.value}.lookup)
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.Equal(t, tt.name+"=\""+tt.value+"\": "+tt.wantErr, err.Error())
			want := config.Default()
			if tt.name == config.EnvBaseURL {
				// A destination fails closed: no default in its place.
				want.BaseURL = ""
				assert.ErrorIs(t, err, config.ErrDestination)
			}
			assert.Equal(t, want, c, "the bad value leaves the default")
		})
	}
}

func TestFromLookupErrorQuotesRawValue(t *testing.T) {
	_, err := config.FromLookup(env{config.EnvSampleRate: " abc\n"}.lookup)
	require.Error(t, err)
	assert.Equal(t, `LANGFUSE_SAMPLE_RATE=" abc\n": not a number in [0, 1]`, err.Error())
}

func TestFromLookupReportsEveryBadVariable(t *testing.T) {
	c, err := config.FromLookup(env{
		config.EnvPublicKey:      "pk-lf-1",
		config.EnvSecretKey:      "sk-lf-1",
		config.EnvSampleRate:     "abc",
		config.EnvFlushAt:        "0",
		config.EnvDebug:          "maybe",
		config.EnvTimeout:        "2.5",
		config.EnvExportMode:     "async",
		config.EnvTracingEnabled: "off",
	}.lookup)
	require.Error(t, err)
	assert.ErrorIs(t, err, config.ErrInvalid)

	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "want a joined error, got %T", err)
	require.Len(t, joined.Unwrap(), 4)
	for _, e := range joined.Unwrap() {
		assert.ErrorIs(t, e, config.ErrInvalid)
	}
	assert.Equal(t, strings.Join([]string{
		`LANGFUSE_SAMPLE_RATE="abc": not a number in [0, 1]`,
		`LANGFUSE_FLUSH_AT="0": not an integer in [1, 65536]`,
		`LANGFUSE_DEBUG="maybe": not a boolean (true/false, 1/0, yes/no, on/off)`,
		`LANGFUSE_EXPORT_MODE="async": not "batched" or "immediate"`,
	}, "\n"), err.Error())

	// Good values are applied, bad ones leave the default.
	want := config.Default()
	want.PublicKey = "pk-lf-1"
	want.SecretKey = "sk-lf-1"
	want.Timeout = 2500 * time.Millisecond
	want.TracingEnabled = false
	assert.Equal(t, want, c)
	assert.NoError(t, c.Validate())
}

func TestFromEnv(t *testing.T) {
	// An empty value counts as unset, so this hides whatever the
	// surrounding environment holds.
	for _, name := range allEnv {
		t.Setenv(name, "")
	}
	t.Setenv(config.EnvPublicKey, "pk-lf-1")
	t.Setenv(config.EnvSecretKey, "sk-lf-1")
	t.Setenv(config.EnvHost, "http://localhost:3000/")
	t.Setenv(config.EnvFlushInterval, "0.25")
	t.Setenv(config.EnvExportMode, "immediate")

	c, err := config.FromEnv()
	require.NoError(t, err)
	want := config.Default()
	want.PublicKey, want.SecretKey = "pk-lf-1", "sk-lf-1"
	want.BaseURL = "http://localhost:3000"
	want.FlushInterval = 250 * time.Millisecond
	want.ExportMode = config.ExportImmediate
	assert.Equal(t, want, c)
	assert.True(t, c.HasKeys())
	assert.Equal(t, "http://localhost:3000/api/public/otel/v1/traces", c.TracesEndpoint())

	t.Setenv(config.EnvSampleRate, "2")
	_, err = config.FromEnv()
	assert.ErrorIs(t, err, config.ErrInvalid)
}

// TestBadIOCaptureSwitchFailsClosed checks that a value of
// LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED that is not a boolean
// turns capture off, since it may have meant "off" and capture records the
// program's data, without touching where traces go: tracing stays on, the
// rest of the Config is applied, and the error is no ErrDestination.
func TestBadIOCaptureSwitchFailsClosed(t *testing.T) {
	for _, value := range []string{"disabled", "nope", "ture", "2", "of", " enabled "} {
		t.Run(value, func(t *testing.T) {
			c, err := config.FromLookup(env{
				config.EnvPublicKey:        "pk-lf-1",
				config.EnvSecretKey:        "sk-lf-1",
				config.EnvBaseURL:          "http://127.0.0.1:3000",
				config.EnvIOCaptureEnabled: value,
			}.lookup)
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.NotErrorIs(t, err, config.ErrDestination, "capture chooses no destination")
			assert.Equal(t, config.EnvIOCaptureEnabled+"="+strconv.Quote(value)+
				": not a boolean (true/false, 1/0, yes/no, on/off); input and output capture is off", err.Error())

			want := config.Default()
			want.PublicKey, want.SecretKey = "pk-lf-1", "sk-lf-1"
			want.BaseURL = "http://127.0.0.1:3000"
			want.IOCaptureEnabled = false
			assert.Equal(t, want, c, "capture off, everything else as given")
			assert.True(t, c.TracingEnabled)
			assert.NoError(t, c.Validate())
		})
	}

	t.Run("beside other bad settings", func(t *testing.T) {
		c, err := config.FromLookup(env{
			config.EnvIOCaptureEnabled: "disabled",
			config.EnvDebug:            "maybe",
		}.lookup)
		require.Error(t, err)
		assert.Equal(t, strings.Join([]string{
			`LANGFUSE_DEBUG="maybe": not a boolean (true/false, 1/0, yes/no, on/off)`,
			`LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED="disabled": not a boolean (true/false, 1/0, yes/no, on/off); input and output capture is off`,
		}, "\n"), err.Error())
		assert.False(t, c.IOCaptureEnabled)
		assert.False(t, c.Debug, "the default of the other bad setting")
	})
}
