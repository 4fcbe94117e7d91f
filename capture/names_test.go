package capture

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func sensitiveName(name string) bool {
	var a [64]byte
	_, ok := normalized(&a, name)
	return ok
}

func TestSensitiveNames(t *testing.T) {
	redacted := []string{
		"apiKey", "api_key", "API-Key", "x-api-key", "X-API-KEY", "openai_api_key", "apiKeys",
		"password", "Password", "db_password", "passwd", "passphrase", "pwd", "db_pwd",
		"secret", "client_secret", "clientSecret", "aws_secret_access_key",
		"token", "access_token", "accessToken", "refreshToken", "refresh_token", "id_token",
		"session_token", "SessionToken", "github_token", "csrf-token", "access_tokens",
		"authorization", "Authorization", "Proxy-Authorization", "auth",
		"cookie", "Set-Cookie", "cookies", "private_key", "privateKey", "privkey",
		"bearer", "bearer_token", "credentials", "credential", "jwt",
		"signing_key", "Ocp-Apim-Subscription-Key", "access_key", "encryption.key",
	}
	kept := []string{
		"tokens", "max_tokens", "maxTokens", "token_count", "tokenCount", "prompt_tokens",
		"completion_tokens", "total_tokens", "input_tokens", "output_tokens", "cached_tokens",
		"reasoning_tokens", "max_new_tokens", "max_completion_tokens", "num_tokens", "tokenizer",
		"token_type", "eos_token", "pad_token", "bos_token", "next_token", "page_token", "NextToken",
		"key", "keys", "primary_key", "monkey", "keyword", "session_id", "sessionId", "user_id",
		"author", "authority", "passage", "compass", "bypass", "model", "temperature", "prompt",
		"content", "role", "", "-",
	}
	for _, name := range redacted {
		assert.True(t, sensitiveName(name), name)
	}
	for _, name := range kept {
		assert.False(t, sensitiveName(name), name)
	}
}

type llmMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type llmRequest struct {
	Model     string       `json:"model"`
	APIKey    string       `json:"api_key"`
	Messages  []llmMessage `json:"messages"`
	MaxTokens int          `json:"max_tokens"`
}

type llmAuth struct {
	Key      string `json:"k"` // no credential in its JSON name
	APIKey   string `json:"key_a"`
	Password string `json:"pass,omitempty"`
	Email    string `json:"email" langfuse:"redact"`
	Typo     string `json:"typo" langfuse:"redcat"`
	Auth     string `json:"auth" langfuse:"keep"`
	Token    string `json:"-"`
}

type llmEmbedded struct {
	llmAuth
	Name string `json:"name"`
}

type llmNested struct {
	Requests []llmRequest         `json:"requests"`
	Headers  map[string]string    `json:"headers"`
	ByName   map[string]*llmAuth  `json:"by_name"`
	Any      any                  `json:"any"`
	Usage    map[string]int       `json:"usage"`
	Params   map[string]float64   `json:"params"`
	Extra    map[string][]float64 `json:"extra"`
}

const secret = "sk-proj-SECRET"

// captures returns the JSON of v by every route capture takes: as it is
// (go-json where it can), behind an interface, in a map, and walked. The
// wrapping of the second and third is taken off.
func captures(v any, o Options) map[string]string {
	unwrap := func(s, prefix, suffix string) string {
		return strings.TrimSuffix(strings.TrimPrefix(s, prefix), suffix)
	}
	return map[string]string{
		"as is":      JSON(v, o),
		"text":       String(v, o),
		"in a slice": unwrap(JSON([]any{v}, o), "[", "]"),
		"in a map":   unwrap(JSON(map[string]any{"v": v}, o), `{"v":`, "}"),
		"walked":     walked(v, o),
	}
}

func TestCredentialFieldsAreRedacted(t *testing.T) {
	req := llmRequest{Model: "gpt-4o", APIKey: secret, Messages: []llmMessage{{"user", "hi"}}, MaxTokens: 64}
	for route, got := range captures(req, Options{}) {
		assert.Equal(t, `{"model":"gpt-4o","api_key":"[REDACTED]","messages":[{"role":"user","content":"hi"}],"max_tokens":64}`,
			got, route)
	}

	auth := llmAuth{Key: "k1", APIKey: secret, Email: "ada@example.com", Typo: secret, Auth: "basic", Token: secret}
	want := `{"k":"k1","key_a":"[REDACTED]","email":"[REDACTED]","typo":"[REDACTED]","auth":"basic"}`
	for route, got := range captures(auth, Options{}) {
		assert.Equal(t, want, got, route)
	}
	for route, got := range captures(&llmEmbedded{llmAuth: auth, Name: "n"}, Options{}) {
		assert.Equal(t, strings.TrimSuffix(want, "}")+`,"name":"n"}`, got, route)
	}

	nested := llmNested{
		Requests: []llmRequest{req},
		Headers:  map[string]string{"Authorization": "Bearer " + secret, "Accept": "json"},
		ByName:   map[string]*llmAuth{"a": {Password: secret}},
		Any:      map[string]any{"client_secret": secret, "list": []any{map[string]any{"token": secret}}},
		Usage:    map[string]int{"prompt_tokens": 3, "access_token": 1},
		Params:   map[string]float64{"temperature": 0.5, "secret": 1},
		Extra:    map[string][]float64{"private_key": {1}},
	}
	for route, got := range captures(nested, Options{}) {
		assert.NotContains(t, got, secret, route)
		assert.Contains(t, got, `"headers":{"Accept":"json","Authorization":"[REDACTED]"}`, route)
		assert.Contains(t, got, `"pass":"[REDACTED]"`, route)
		assert.Contains(t, got, `{"client_secret":"[REDACTED]","list":[{"token":"[REDACTED]"}]}`, route)
		assert.Contains(t, got, `"usage":{"access_token":"[REDACTED]","prompt_tokens":3}`, route)
		assert.Contains(t, got, `"params":{"secret":"[REDACTED]","temperature":0.5}`, route)
		assert.Contains(t, got, `"extra":{"private_key":"[REDACTED]"}`, route)
	}
}

func TestCredentialMapKeysAreRedacted(t *testing.T) {
	values := map[string]any{
		"map[string]any":    map[string]any{"api_key": secret, "tokens": 5, "prompt_tokens": 3},
		"map[string]string": map[string]string{"api_key": secret, "tokens": "5", "prompt_tokens": "3"},
		"map[any]any":       map[any]any{"api_key": secret, "tokens": 5, "prompt_tokens": 3},
		"named map":         map[role]string{"api_key": secret, "tokens": "5", "prompt_tokens": "3"},
	}
	for name, v := range values {
		for route, got := range captures(v, Options{}) {
			assert.NotContains(t, got, secret, name+" "+route)
			assert.Contains(t, got, `"api_key":"[REDACTED]"`, name+" "+route)
			assert.Contains(t, got, `"prompt_tokens":`, name+" "+route)
			assert.NotContains(t, got, `"prompt_tokens":"[REDACTED]"`, name+" "+route)
			assert.NotContains(t, got, `"tokens":"[REDACTED]"`, name+" "+route)
		}
	}
	// A map far larger than the output still has its keys checked.
	big := map[string]string{"api_key": secret}
	for i := range 5000 {
		big["k"+strings.Repeat("x", i%50)+string(rune('a'+i%26))] = "v"
	}
	assert.NotContains(t, JSON(big, Options{MaxBytes: 1 << 20}), secret)
}

type logSecrets struct{}

func (logSecrets) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", "ada"), slog.String("password", secret),
		slog.Group("inner", slog.String("refreshToken", secret)))
}

func TestCredentialGroupMembersAreRedacted(t *testing.T) {
	assert.Equal(t, `{"user":"ada","password":"[REDACTED]","inner":{"refreshToken":"[REDACTED]"}}`, JSON(logSecrets{}, Options{}))
}

type llmProfile struct {
	Name string `json:"name"`
	SSN  string `json:"ssn"`
	Mode string `json:"mode" langfuse:"redact"`
}

func TestRedactNamesAndKeepNames(t *testing.T) {
	p := llmProfile{Name: "ada", SSN: "123-45-6789", Mode: "m"}
	o := Options{RedactNames: []string{"S-S-N", "Email"}}
	for route, got := range captures(p, o) {
		assert.Equal(t, `{"name":"ada","ssn":"[REDACTED]","mode":"[REDACTED]"}`, got, route)
	}
	for route, got := range captures([]llmProfile{p}, o) {
		assert.Equal(t, `[{"name":"ada","ssn":"[REDACTED]","mode":"[REDACTED]"}]`, got, route)
	}
	for route, got := range captures(map[string]any{"email": "ada@example.com", "ssn": 1}, o) {
		assert.NotContains(t, got, "ada@example.com", route)
		assert.NotContains(t, got, `"ssn":1`, route)
	}
	for route, got := range captures(map[string]string{"e_mail": "x", "EMAIL": "ada@example.com"}, o) {
		assert.NotContains(t, got, "ada@example.com", route)
	}
	assert.Equal(t, `{"name":"ada","ssn":"123-45-6789","mode":"[REDACTED]"}`, JSON(p, Options{}), "not named by default")

	keep := Options{KeepNames: []string{"auth", "mode"}, RedactNames: []string{"auth"}}
	assert.Equal(t, `{"auth":"basic","token":"[REDACTED]"}`, JSON(map[string]string{"auth": "basic", "token": secret}, keep),
		"a kept name wins over the lists")
	assert.Equal(t, `{"name":"ada","ssn":"123-45-6789","mode":"[REDACTED]"}`, JSON(p, keep), "a redact tag wins over KeepNames")
	assert.Equal(t, `{"k":"k1","key_a":"sk","email":"[REDACTED]","typo":"[REDACTED]","auth":"basic"}`,
		JSON(llmAuth{Key: "k1", APIKey: "sk", Auth: "basic"}, Options{KeepNames: []string{"apiKey"}}), "by the Go name too")
}

func TestRedactionHoldsWhenCut(t *testing.T) {
	req := llmRequest{Model: strings.Repeat("m", 50), APIKey: secret + strings.Repeat("x", 100)}
	for n := 1; n < 120; n++ {
		o := Options{MaxBytes: n}
		for route, got := range captures(req, o) {
			assert.NotContains(t, got, "sk-", "%s at %d: %s", route, n, got)
		}
	}
}
