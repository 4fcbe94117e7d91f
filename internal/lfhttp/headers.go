package lfhttp

import (
	"encoding/base64"
	"net/http"

	"github.com/observe-go/langfuse/config"
)

// Paths of the Langfuse endpoints, relative to the server's root URL
// (config.Config.ServerURL).
const (
	TracesPath    = config.TracesPath
	IngestionPath = "/api/public/ingestion"
	PromptsPath   = "/api/public/v2/prompts"
)

// MaxRequestBytes is the most bytes a request body may have. Langfuse
// warns about a request above 16 MiB; a batch that would pass it is sent
// in several requests, and an item that fits in none is dropped.
const MaxRequestBytes = 16 << 20

// SDK names the library in the headers of every request.
type SDK struct {
	Name, Version string
}

// Header returns the headers every request to Langfuse carries: Basic
// authorization from the key pair, the SDK's name and version, the
// public key, and a User-Agent of the SDK's name and version.
func Header(cfg config.Config, sdk SDK) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Basic "+BasicCredentials(cfg))
	h.Set("x-langfuse-sdk-name", sdk.Name)
	h.Set("x-langfuse-sdk-version", sdk.Version)
	h.Set("x-langfuse-public-key", cfg.PublicKey)
	h.Set("User-Agent", sdk.Name+"/"+sdk.Version)
	return h
}

// BasicCredentials is the token of the Basic Authorization header.
func BasicCredentials(cfg config.Config) string {
	return base64.StdEncoding.EncodeToString([]byte(cfg.PublicKey + ":" + cfg.SecretKey))
}
