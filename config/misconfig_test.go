package config_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/config"
)

// A lone key is a mistake, not a missing pair: the error names the key
// that is missing, and the Config keeps the one given, so that it is not
// taken for a Config without keys (which prints traces to the console).
func TestLoneKeyNamesTheMissingOne(t *testing.T) {
	tests := []struct {
		name    string
		env     env
		wantErr string
		want    func(*config.Config)
	}{
		{"public only", env{config.EnvPublicKey: "pk-lf-1"},
			"LANGFUSE_SECRET_KEY: not set, but LANGFUSE_PUBLIC_KEY is: set both keys to send traces to Langfuse, or neither to print them to the console",
			func(c *config.Config) { c.PublicKey = "pk-lf-1" }},
		{"secret only", env{config.EnvSecretKey: "sk-lf-1"},
			"LANGFUSE_PUBLIC_KEY: not set, but LANGFUSE_SECRET_KEY is: set both keys to send traces to Langfuse, or neither to print them to the console",
			func(c *config.Config) { c.SecretKey = "sk-lf-1" }},
		{"blank public counts as unset", env{config.EnvPublicKey: "  ", config.EnvSecretKey: "sk-lf-1"},
			"LANGFUSE_PUBLIC_KEY: not set, but LANGFUSE_SECRET_KEY is: set both keys to send traces to Langfuse, or neither to print them to the console",
			func(c *config.Config) { c.SecretKey = "sk-lf-1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.FromLookup(tt.env.lookup)
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.Equal(t, tt.wantErr, err.Error())
			assert.NotContains(t, err.Error(), "sk-lf-1", "the secret key is never shown")
			want := config.Default()
			tt.want(&want)
			assert.Equal(t, want, c)
			assert.True(t, c.KeysPartial())
			assert.False(t, c.HasKeys())
		})
	}
}

func TestValidateLoneKey(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*config.Config)
		wantErr string
	}{
		{"no keys", func(*config.Config) {}, ""},
		{"both keys", func(c *config.Config) { c.PublicKey, c.SecretKey = "pk", "sk" }, ""},
		{"public only", func(c *config.Config) { c.PublicKey = "pk" },
			"SecretKey: not set, but PublicKey is: set both keys to send traces to Langfuse, or neither to print them to the console"},
		{"secret only", func(c *config.Config) { c.SecretKey = "sk-lf-secret" },
			"PublicKey: not set, but SecretKey is: set both keys to send traces to Langfuse, or neither to print them to the console"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.modify(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				assert.False(t, c.KeysPartial())
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.Equal(t, tt.wantErr, err.Error())
			assert.True(t, c.KeysPartial())
		})
	}
}

// A base URL with user info is refused, and the password in it never
// reaches the error, whether the URL parses or not and whichever variable
// or field it came from.
func TestBaseURLUserInfoIsNeverEchoed(t *testing.T) {
	const secret = "sk-lf-TOPSECRET"
	tests := []struct {
		name  string
		url   string
		shown string // the URL as the error shows it
	}{
		{"user and password", "https://pk-lf-1:" + secret + "@cloud.langfuse.com",
			"https://pk-lf-1:xxxxx@cloud.langfuse.com"},
		{"with path", "https://pk:" + secret + "@example.com/langfuse",
			"https://pk:xxxxx@example.com/langfuse"},
		{"does not parse", "https://pk:" + secret + "@exa mple.com/%zz",
			"https://pk:xxxxx@exa mple.com/%zz"},
		{"no scheme", "pk:" + secret + "@example.com",
			"pk:xxxxx@example.com"},
		{"at sign in password", "https://pk:" + secret + "@x@example.com",
			"https://pk:xxxxx@example.com"},
		{"query as well", "https://pk:" + secret + "@example.com/?q=1",
			"https://pk:xxxxx@example.com/?q=1"},
	}
	for _, tt := range tests {
		for _, name := range []string{config.EnvBaseURL, config.EnvHost} {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				c, err := config.FromLookup(env{name: tt.url}.lookup)
				require.Error(t, err)
				assert.ErrorIs(t, err, config.ErrInvalid)
				assert.NotContains(t, err.Error(), secret)
				assert.True(t, strings.HasPrefix(err.Error(), name+"=\""+tt.shown+"\": "), err.Error())
				assert.Empty(t, c.BaseURL, "the bad URL leaves no destination, not the default")
			})
		}
		t.Run(tt.name+"/Validate", func(t *testing.T) {
			c := config.Default()
			c.BaseURL = tt.url
			err := c.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.NotContains(t, err.Error(), secret)
			assert.True(t, strings.HasPrefix(err.Error(), "BaseURL=\""+tt.shown+"\": "), err.Error())
		})
	}
}

// The reason says what to do about user info, and the URL stays
// recognisable: only the password is replaced.
func TestBaseURLUserInfoReason(t *testing.T) {
	_, err := config.FromLookup(env{config.EnvBaseURL: "https://pk:sk@example.com"}.lookup)
	require.Error(t, err)
	assert.Equal(t, `LANGFUSE_BASE_URL="https://pk:xxxxx@example.com": user info is not allowed (keys go in LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY)`, err.Error())
}

// A bad value of a setting that chooses where traces go, or whether they
// go anywhere, fails closed: it is reported as ErrDestination (and
// ErrInvalid) under the name of the variable, and the Config names no
// destination in its place. Before, a base URL without a scheme left
// Langfuse Cloud in BaseURL, and a client built from it sent the
// program's traces, and its keys, there.
func TestBadDestinationFailsClosed(t *testing.T) {
	badURLs := []struct {
		value, reason string
	}{
		{"127.0.0.1:4000", "not an absolute http or https URL"},
		{"localhost:4000", "not an absolute http or https URL"},
		{"langfuse.internal", "not an absolute http or https URL"},
		{"ftp://langfuse.internal", "not an absolute http or https URL"},
		{"file:///etc/passwd", "not an absolute http or https URL"},
		{"http://", "not an absolute http or https URL"},
		{"https://:3000", "not an absolute http or https URL"},
		{"https://langfuse.internal?region=eu", "has a query or fragment"},
		{"https://langfuse.internal/#x", "has a query or fragment"},
		{"https://pk:sk-lf-1@langfuse.internal", "user info is not allowed (keys go in LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY)"},
		{"http://langfuse.internal:0", "has an invalid port"},
	}
	for _, name := range []string{config.EnvBaseURL, config.EnvHost} {
		for _, tt := range badURLs {
			t.Run(name+"="+tt.value, func(t *testing.T) {
				c, err := config.FromLookup(env{
					config.EnvPublicKey: "pk-lf-1", config.EnvSecretKey: "sk-lf-1", name: tt.value,
				}.lookup)
				require.Error(t, err)
				assert.ErrorIs(t, err, config.ErrDestination)
				assert.ErrorIs(t, err, config.ErrInvalid)
				assert.True(t, strings.HasPrefix(err.Error(), name+`="`), err.Error())
				assert.True(t, strings.HasSuffix(err.Error(), `": `+tt.reason), err.Error())
				assert.NotContains(t, err.Error(), "sk-lf-1")
				assert.Empty(t, c.BaseURL, "no destination in place of the bad one")
				assert.NotContains(t, c.TracesEndpoint(), config.DefaultBaseURL)
				assert.ErrorIs(t, c.Validate(), config.ErrDestination, "the Config is not usable as it is")
			})
		}
	}

	t.Run("bad base url does not fall back to the host", func(t *testing.T) {
		c, err := config.FromLookup(env{config.EnvBaseURL: "127.0.0.1:4000", config.EnvHost: "http://127.0.0.1:3000"}.lookup)
		require.ErrorIs(t, err, config.ErrDestination)
		assert.Equal(t, `LANGFUSE_BASE_URL="127.0.0.1:4000": not an absolute http or https URL`, err.Error())
		assert.Empty(t, c.BaseURL)
	})

	for _, value := range []string{"ture", "2", "enabled", "disabled", "of"} {
		t.Run(config.EnvTracingEnabled+"="+value, func(t *testing.T) {
			c, err := config.FromLookup(env{config.EnvTracingEnabled: value}.lookup)
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrDestination)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.Equal(t, config.EnvTracingEnabled+`="`+value+`": not a boolean (true/false, 1/0, yes/no, on/off); tracing is off`, err.Error())
			assert.False(t, c.TracingEnabled, "a bad switch turns tracing off, not on")
		})
	}

	t.Run("other bad settings are no destination", func(t *testing.T) {
		_, err := config.FromLookup(env{config.EnvSampleRate: "abc", config.EnvDebug: "maybe", config.EnvFlushAt: "0"}.lookup)
		require.ErrorIs(t, err, config.ErrInvalid)
		assert.NotErrorIs(t, err, config.ErrDestination)
	})

	t.Run("Validate", func(t *testing.T) {
		c := config.Default()
		c.BaseURL = "127.0.0.1:4000"
		err := c.Validate()
		require.ErrorIs(t, err, config.ErrDestination)
		assert.Equal(t, `BaseURL="127.0.0.1:4000": not an absolute http or https URL`, err.Error())
		c = config.Default()
		c.SampleRate = 2
		assert.NotErrorIs(t, c.Validate(), config.ErrDestination)
	})
}
