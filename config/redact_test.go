package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/config"
)

const secretKey = "sk-lf-0123456789"

func secretConfig() config.Config {
	c := config.Default()
	c.PublicKey = "pk-lf-public"
	c.SecretKey = secretKey
	return c
}

func TestConfigNeverShowsTheSecretKey(t *testing.T) {
	c := secretConfig()
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("start", "config", c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("start", "config", c, "ptr", &c)
	shown := map[string]string{
		"String":         c.String(),
		"GoString":       c.GoString(),
		"%v":             fmt.Sprintf("%v", c),
		"%+v":            fmt.Sprintf("%+v", c),
		"%#v":            fmt.Sprintf("%#v", c),
		"%s":             fmt.Sprintf("%s", c),
		"%q":             fmt.Sprintf("%q", c),
		"%x":             fmt.Sprintf("%x", c),
		"%v ptr":         fmt.Sprintf("%v", &c),
		"%+v ptr":        fmt.Sprintf("%+v", &c),
		"Println":        fmt.Sprintln(c, []config.Config{c}, map[string]any{"c": c}),
		"Errorf":         fmt.Errorf("bad config %v: %w", c, config.ErrInvalid).Error(),
		"slog text":      text.String(),
		"slog json":      js.String(),
		"capture String": capture.String(c, capture.Options{}),
		"capture JSON":   capture.JSON(map[string]any{"cfg": c, "ptr": &c}, capture.Options{}),
		"capture field":  capture.JSON(struct{ Cfg config.Config }{c}, capture.Options{}),
	}
	for name, out := range shown {
		assert.NotContains(t, out, secretKey, name)
		assert.NotContains(t, out, fmt.Sprintf("%x", secretKey), name)
	}
	assert.Contains(t, shown["%+v"], "SecretKey:[REDACTED]")
	assert.Contains(t, shown["%+v"], "PublicKey:pk-lf-public")
	assert.Contains(t, shown["%#v"], `config.Config{PublicKey:"pk-lf-public", SecretKey:"[REDACTED]"`)
	assert.Contains(t, shown["slog text"], "config.SecretKey=[REDACTED]")
	assert.Contains(t, shown["slog json"], `"SecretKey":"[REDACTED]"`)

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(shown["capture String"]), &got))
	assert.Equal(t, "[REDACTED]", got["SecretKey"])
	assert.Equal(t, "pk-lf-public", got["PublicKey"])
	assert.Equal(t, "batched", got["ExportMode"])
}

func TestConfigShowsAnUnsetSecretKeyAsEmpty(t *testing.T) {
	c := config.Default()
	assert.Contains(t, fmt.Sprintf("%+v", c), "SecretKey: ")
	assert.NotContains(t, fmt.Sprintf("%+v", c), "[REDACTED]")
}

func TestConfigFormatKeepsTheRestIntact(t *testing.T) {
	c := secretConfig()
	c.SecretKey = ""
	type plain config.Config
	assert.Equal(t, fmt.Sprintf("%+v", plain(c)), fmt.Sprintf("%+v", c))
	assert.Equal(t, fmt.Sprintf("%v", plain(c)), fmt.Sprintf("%v", c))
}
