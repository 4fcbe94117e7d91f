package capture

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedactQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"q=hello&page=2", "q=hello&page=2"},
		{"token=abc", "token=" + Redacted},
		{"q=x&access_token=abc&page=2", "q=x&access_token=" + Redacted + "&page=2"},
		{"API_KEY=abc", "API_KEY=" + Redacted},
		{"api%5Fkey=abc", "api%5Fkey=" + Redacted},
		{"key=1;secret=2&password=3&sig=4&signature=5&code=6", "key=" + Redacted + ";secret=" + Redacted + "&password=" + Redacted +
			"&sig=" + Redacted + "&signature=" + Redacted + "&code=" + Redacted},
		{"X-Amz-Signature=abc&X-Amz-Credential=def", "X-Amz-Signature=" + Redacted + "&X-Amz-Credential=" + Redacted},
		{"refresh_token=a&client_secret=b", "refresh_token=" + Redacted + "&client_secret=" + Redacted},
		{"token=&token&&q", "token=&token&&q"},
		{"q=%zz&token=%zz", "q=%zz&token=" + Redacted},
		{"&token=x&", "&token=" + Redacted + "&"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RedactQuery(tt.in), tt.in)
	}
}

func TestRedactQueryKeepsCleanQueryWithoutAllocating(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under the race detector")
	}
	q := "q=hello&page=2&lang=en"
	allocs := testing.AllocsPerRun(100, func() { _ = RedactQuery(q) })
	assert.Zero(t, allocs)
}

const bearer = "Bearer sk-lf-123456"

func newRequest(t *testing.T) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://ann:hunter2@api.example.com/v1/chat?token=tok-123&q=hi", strings.NewReader("body-secret"))
	r.Header.Set("Authorization", bearer)
	r.Header.Set("Cookie", "session=cookie-123")
	r.Header.Set("Proxy-Authorization", "Basic cHJveHk=")
	r.Header.Set("X-Api-Key", "key-123")
	r.Header.Set("X-Auth-Token", "tok-456")
	r.Header.Set("Content-Type", "application/json")
	return r
}

var requestSecrets = []string{"sk-lf-123456", "cookie-123", "cHJveHk=", "key-123", "tok-123", "tok-456", "hunter2", "body-secret"}

func TestRequestIsRedacted(t *testing.T) {
	r := newRequest(t)
	for name, v := range map[string]any{
		"pointer":   r,
		"value":     *r,
		"in a map":  map[string]any{"req": r},
		"in a list": []any{r, 1},
		"field":     struct{ Req *http.Request }{r},
		"headers":   r.Header,
		"value url": *r.URL,
		"url":       r.URL,
	} {
		t.Run(name, func(t *testing.T) {
			for _, out := range []string{String(v, Options{}), JSON(v, Options{})} {
				for _, secret := range requestSecrets {
					assert.NotContains(t, out, secret)
				}
				assert.True(t, json.Valid([]byte(out)), out)
			}
		})
	}
	var got struct {
		Method string              `json:"method"`
		URL    string              `json:"url"`
		Host   string              `json:"host"`
		Header map[string][]string `json:"header"`
	}
	require.NoError(t, json.Unmarshal([]byte(JSON(r, Options{})), &got))
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "https://api.example.com/v1/chat?token="+Redacted+"&q=hi", got.URL, "no user information, query redacted")
	assert.Equal(t, "api.example.com", got.Host)
	assert.Equal(t, []string{Redacted}, got.Header["Authorization"])
	assert.Equal(t, []string{Redacted}, got.Header["Cookie"])
	assert.Equal(t, []string{"application/json"}, got.Header["Content-Type"])
	assert.Equal(t, `"https://ann:xxxxx@api.example.com/v1/chat?token=`+Redacted+`&q=hi"`, JSON(r.URL, Options{}),
		"a URL keeps its user name, not its password")
	assert.Equal(t, "null", JSON((*http.Request)(nil), Options{}))
	assert.Equal(t, "null", JSON(http.Header(nil), Options{}))
}

func TestRequestRedactionHoldsWhenCut(t *testing.T) {
	r := newRequest(t)
	for n := 1; n < 400; n += 7 {
		o := Options{MaxBytes: n, MaxDepth: 1 + n%3}
		for _, out := range []string{String(r, o), JSON(r, o)} {
			checkOutput(t, out, o, true)
			for _, secret := range requestSecrets {
				assert.NotContains(t, out, secret)
			}
		}
	}
}

// secretConfig redacts itself for logs.
type secretConfig struct {
	User   string
	Secret string
}

func (c secretConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", c.User), slog.String("secret", Redacted))
}

type secretString string

func (secretString) LogValue() slog.Value { return slog.StringValue(Redacted) }

// secretMarshaler would give itself away to JSON, not to logs.
type secretMarshaler struct{ Secret string }

func (m secretMarshaler) MarshalJSON() ([]byte, error) { return json.Marshal(m.Secret) }
func (secretMarshaler) LogValue() slog.Value           { return slog.StringValue("hidden") }

type loopValuer struct{ Secret string }

func (l loopValuer) LogValue() slog.Value { return slog.AnyValue(l) }

type panicValuer struct{ Secret string }

func (panicValuer) LogValue() slog.Value { panic("no") }

type chainValuer struct{ n int }

func (c chainValuer) LogValue() slog.Value {
	if c.n == 0 {
		return slog.GroupValue(
			slog.Int("n", 0), slog.Uint64("u", 1), slog.Float64("f", 1.5), slog.Bool("b", true),
			slog.Duration("d", time.Second), slog.Time("t", time.Unix(0, 0).UTC()),
			slog.Any("err", errors.New("boom")), slog.Group("", slog.String("inline", "yes")),
			slog.Any("inner", secretString("s3cret")))
	}
	return slog.AnyValue(chainValuer{c.n - 1})
}

func TestLogValuerIsHonoured(t *testing.T) {
	const secret = "s3cret"
	tests := []struct {
		name       string
		v          any
		text, json string
	}{
		{"group", secretConfig{"ann", secret}, `{"user":"ann","secret":"[REDACTED]"}`, ""},
		{"pointer", &secretConfig{"ann", secret}, `{"user":"ann","secret":"[REDACTED]"}`, ""},
		{"string", secretString(secret), Redacted, `"` + Redacted + `"`},
		{"nested", map[string]any{"c": secretString(secret)}, `{"c":"[REDACTED]"}`, ""},
		{"field", struct{ C secretString }{secret}, `{"C":"[REDACTED]"}`, ""},
		{"wins over MarshalJSON", secretMarshaler{secret}, "hidden", `"hidden"`},
		{"loop", loopValuer{secret}, `"<error in LogValue: LogValue returned a LogValuer too many times>"`, ""},
		{"panic", panicValuer{secret}, `"<panic in LogValue: no>"`, ""},
		{"nil pointer", (*secretConfig)(nil), "null", ""},
		{"chain", chainValuer{3}, `{"n":0,"u":1,"f":1.5,"b":true,"d":1000000000,"t":"1970-01-01T00:00:00Z",` +
			`"err":"boom","inline":"yes","inner":"[REDACTED]"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.json == "" {
				tt.json = tt.text
			}
			assert.Equal(t, tt.text, String(tt.v, Options{}))
			assert.Equal(t, tt.json, JSON(tt.v, Options{}))
			assert.NotContains(t, JSON([]any{tt.v}, Options{}), secret)
		})
	}
}

func TestLogValuerGroupCycleEnds(t *testing.T) {
	as := make([]slog.Attr, 1)
	as[0] = slog.Attr{Key: "", Value: slog.GroupValue(as...)}
	v := selfGroup{as}
	out := JSON(v, Options{})
	assert.True(t, json.Valid([]byte(out)), out)
	as[0] = slog.Attr{Key: "k", Value: slog.GroupValue(as...)}
	out = JSON(v, Options{})
	assert.Contains(t, out, "<max depth")
}

type selfGroup struct{ as []slog.Attr }

func (g selfGroup) LogValue() slog.Value { return slog.GroupValue(g.as...) }
