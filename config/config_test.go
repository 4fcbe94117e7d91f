package config_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/config"
)

func TestDefault(t *testing.T) {
	c := config.Default()
	assert.Equal(t, config.Config{
		BaseURL:          "https://cloud.langfuse.com",
		TracingEnabled:   true,
		SampleRate:       1,
		FlushAt:          512,
		FlushInterval:    5 * time.Second,
		Timeout:          5 * time.Second,
		IOCaptureEnabled: true,
		CaptureMaxBytes:  1 << 20,
		MaxQueueSize:     2048,
		ExportMode:       config.ExportBatched,
		PromptCacheTTL:   time.Minute,
	}, c)
	assert.NoError(t, c.Validate())
	assert.False(t, c.HasKeys())
}

func TestHasKeys(t *testing.T) {
	tests := []struct {
		name           string
		public, secret string
		want           bool
	}{
		{"both", "pk-lf-1", "sk-lf-1", true},
		{"no public", "", "sk-lf-1", false},
		{"no secret", "pk-lf-1", "", false},
		{"none", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Config{PublicKey: tt.public, SecretKey: tt.secret}
			assert.Equal(t, tt.want, c.HasKeys())
		})
	}
}

func TestTracesEndpoint(t *testing.T) {
	tests := []struct {
		baseURL, want string
	}{
		{"https://cloud.langfuse.com", "https://cloud.langfuse.com/api/public/otel/v1/traces"},
		{"https://us.cloud.langfuse.com/", "https://us.cloud.langfuse.com/api/public/otel/v1/traces"},
		{"http://localhost:3000///", "http://localhost:3000/api/public/otel/v1/traces"},
		{"https://example.com/langfuse/", "https://example.com/langfuse/api/public/otel/v1/traces"},
	}
	for _, tt := range tests {
		t.Run(tt.baseURL, func(t *testing.T) {
			c := config.Config{BaseURL: tt.baseURL}
			assert.Equal(t, tt.want, c.TracesEndpoint())
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*config.Config)
		wantErr string // "" for valid
	}{
		{"default", func(*config.Config) {}, ""},
		{"keys unchecked", func(c *config.Config) { c.PublicKey, c.SecretKey = " ", "\x00" }, ""},
		{"base url trailing slash", func(c *config.Config) { c.BaseURL = "http://localhost:3000/" }, ""},
		{"base url path prefix", func(c *config.Config) { c.BaseURL = "https://example.com/langfuse" }, ""},
		{"base url upper-case scheme", func(c *config.Config) { c.BaseURL = "HTTPS://example.com" }, ""},
		{"base url ipv6", func(c *config.Config) { c.BaseURL = "http://[::1]:3000" }, ""},
		{"environment empty", func(c *config.Config) { c.Environment = "" }, ""},
		{"environment 40", func(c *config.Config) { c.Environment = strings.Repeat("a", 40) }, ""},
		{"environment inner langfuse", func(c *config.Config) { c.Environment = "my-langfuse" }, ""},
		{"sample rate 0", func(c *config.Config) { c.SampleRate = 0 }, ""},
		{"immediate", func(c *config.Config) { c.ExportMode = config.ExportImmediate }, ""},
		{"flush at 1", func(c *config.Config) { c.FlushAt = 1 }, ""},
		{"shortest", func(c *config.Config) { c.FlushInterval, c.Timeout = config.MinFlushInterval, config.MinTimeout }, ""},
		{"longest", func(c *config.Config) { c.FlushInterval, c.Timeout = config.MaxFlushInterval, config.MaxTimeout }, ""},
		{"largest", func(c *config.Config) {
			c.FlushAt, c.MaxQueueSize, c.CaptureMaxBytes = config.MaxFlushAt, config.MaxQueueSize, config.MaxCaptureMaxBytes
		}, ""},
		{"1ns", func(c *config.Config) { c.FlushInterval, c.Timeout = 1, 1 },
			"FlushInterval=1ns: not a number of seconds in [0.01, 86400]\nTimeout=1ns: not a number of seconds in [0.001, 3600]"},
		{"queue too large", func(c *config.Config) { c.MaxQueueSize = 1e12 },
			"MaxQueueSize=1000000000000: not an integer in [1, 1048576]"},

		{"base url empty", func(c *config.Config) { c.BaseURL = "" },
			`BaseURL="": not an absolute http or https URL`},
		{"base url relative", func(c *config.Config) { c.BaseURL = "cloud.langfuse.com" },
			`BaseURL="cloud.langfuse.com": not an absolute http or https URL`},
		{"base url ftp", func(c *config.Config) { c.BaseURL = "ftp://example.com" },
			`BaseURL="ftp://example.com": not an absolute http or https URL`},
		{"base url no host", func(c *config.Config) { c.BaseURL = "http://:3000" },
			`BaseURL="http://:3000": not an absolute http or https URL`},
		{"base url opaque", func(c *config.Config) { c.BaseURL = "http:example.com" },
			`BaseURL="http:example.com": not an absolute http or https URL`},
		{"base url leading space", func(c *config.Config) { c.BaseURL = " https://example.com" },
			`BaseURL=" https://example.com": not an absolute http or https URL`},
		{"base url query", func(c *config.Config) { c.BaseURL = "https://example.com?a=b" },
			`BaseURL="https://example.com?a=b": has a query or fragment`},
		{"base url empty fragment", func(c *config.Config) { c.BaseURL = "https://example.com#" },
			`BaseURL="https://example.com#": has a query or fragment`},
		{"base url user", func(c *config.Config) { c.BaseURL = "https://pk:sk@example.com" },
			`BaseURL="https://pk:xxxxx@example.com": user info is not allowed (keys go in LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY)`},
		{"base url port", func(c *config.Config) { c.BaseURL = "http://localhost:70000" },
			`BaseURL="http://localhost:70000": has an invalid port`},
		{"base url port 0", func(c *config.Config) { c.BaseURL = "http://localhost:0" },
			`BaseURL="http://localhost:0": has an invalid port`},
		{"environment upper", func(c *config.Config) { c.Environment = "Prod" },
			`Environment="Prod": not only a-z, 0-9, '_' and '-'`},
		{"environment space", func(c *config.Config) { c.Environment = "prod " },
			`Environment="prod ": not only a-z, 0-9, '_' and '-'`},
		{"environment 41", func(c *config.Config) { c.Environment = strings.Repeat("a", 41) },
			`Environment="` + strings.Repeat("a", 41) + `": longer than 40 characters`},
		{"environment reserved", func(c *config.Config) { c.Environment = "langfuse-dev" },
			`Environment="langfuse-dev": starts with the reserved prefix "langfuse"`},
		{"sample rate negative", func(c *config.Config) { c.SampleRate = -0.5 },
			`SampleRate=-0.5: not a number in [0, 1]`},
		{"sample rate above 1", func(c *config.Config) { c.SampleRate = 1.5 },
			`SampleRate=1.5: not a number in [0, 1]`},
		{"sample rate NaN", func(c *config.Config) { c.SampleRate = math.NaN() },
			`SampleRate=NaN: not a number in [0, 1]`},
		{"sample rate Inf", func(c *config.Config) { c.SampleRate = math.Inf(1) },
			`SampleRate=+Inf: not a number in [0, 1]`},
		{"flush at 0", func(c *config.Config) { c.FlushAt = 0 },
			`FlushAt=0: not an integer in [1, 65536]`},
		{"flush interval 0", func(c *config.Config) { c.FlushInterval = 0 },
			`FlushInterval=0s: not a number of seconds in [0.01, 86400]`},
		{"timeout negative", func(c *config.Config) { c.Timeout = -time.Second },
			`Timeout=-1s: not a number of seconds in [0.001, 3600]`},
		{"capture max bytes negative", func(c *config.Config) { c.CaptureMaxBytes = -1 },
			`CaptureMaxBytes=-1: not an integer in [1, 67108864]`},
		{"max queue size 0", func(c *config.Config) { c.MaxQueueSize = 0 },
			`MaxQueueSize=0: not an integer in [1, 1048576]`},
		{"export mode empty", func(c *config.Config) { c.ExportMode = "" },
			`ExportMode="": not "batched" or "immediate"`},
		{"export mode case", func(c *config.Config) { c.ExportMode = "Batched" },
			`ExportMode="Batched": not "batched" or "immediate"`},
		{"prompt cache ttl negative", func(c *config.Config) { c.PromptCacheTTL = -time.Second },
			`PromptCacheTTL=-1s: not a number of seconds in [0, 86400]`},
		{"prompt cache ttl over a day", func(c *config.Config) { c.PromptCacheTTL = 25 * time.Hour },
			`PromptCacheTTL=25h0m0s: not a number of seconds in [0, 86400]`},
		{"prompt cache off", func(c *config.Config) { c.PromptCacheTTL = 0 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.modify(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.Equal(t, tt.wantErr, err.Error())
		})
	}
}

func TestValidateZeroConfigReportsEveryField(t *testing.T) {
	err := config.Config{}.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, config.ErrInvalid)
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "want a joined error, got %T", err)
	var fields []string
	for _, e := range joined.Unwrap() {
		assert.ErrorIs(t, e, config.ErrInvalid)
		field, _, _ := strings.Cut(e.Error(), "=")
		fields = append(fields, field)
	}
	// SampleRate 0 and Environment "" are valid values.
	assert.Equal(t, []string{
		"BaseURL", "FlushAt", "FlushInterval", "Timeout",
		"CaptureMaxBytes", "MaxQueueSize", "ExportMode",
	}, fields)
}

func TestTracesEndpointAcceptsEveryFormOfBaseURL(t *testing.T) {
	for base, want := range map[string]string{
		"https://cloud.langfuse.com":                               "https://cloud.langfuse.com",
		"https://cloud.langfuse.com/":                              "https://cloud.langfuse.com",
		"https://cloud.langfuse.com/api/public/otel":               "https://cloud.langfuse.com",
		"https://cloud.langfuse.com/api/public/otel/":              "https://cloud.langfuse.com",
		"https://cloud.langfuse.com/api/public/otel/v1/traces":     "https://cloud.langfuse.com",
		"http://127.0.0.1:3000/langfuse/api/public/otel/v1/traces": "http://127.0.0.1:3000/langfuse",
		"http://127.0.0.1:3000/langfuse":                           "http://127.0.0.1:3000/langfuse",
	} {
		c := config.Config{BaseURL: base}
		assert.Equal(t, want, c.ServerURL(), base)
		assert.Equal(t, want+"/api/public/otel/v1/traces", c.TracesEndpoint(), base)
	}
}
