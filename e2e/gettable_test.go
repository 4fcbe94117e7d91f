package e2e_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/semconv"
)

const (
	rootModule         = "github.com/observe-go/langfuse"
	integrationsModule = rootModule + "/integrations"
)

// TestIntegrationsRequireTheLibrarysVersion holds the versions a release
// tags together: the integrations module requires the library at the
// version the library says it is, which its spans carry too.
func TestIntegrationsRequireTheLibrarysVersion(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join(repoRoot(t), "integrations", "go.mod"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(rootModule) + ` (v\S+)$`).FindSubmatch(mod)
	require.NotNil(t, m, "integrations/go.mod requires the library")
	assert.Equal(t, "v"+langfuse.Version, string(m[1]))
	assert.Equal(t, langfuse.Version, semconv.SDKVersion)
}

// consumerMain is a program of a user's own that records the calls of an
// OpenAI-compatible, an Anthropic, a Gemini, an Ollama and a Bedrock
// client through their transports. It uses no provider SDK, so that
// building it costs little beyond the library and the integrations.
const consumerMain = `package main

import (
	"context"
	"net/http"

	"github.com/observe-go/langfuse"
	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	langfusebedrock "github.com/observe-go/langfuse/integrations/bedrock"
	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	langfuseollama "github.com/observe-go/langfuse/integrations/ollama"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
)

func main() {
	lf, _ := langfuse.New()
	defer lf.Shutdown(context.Background())
	for _, rt := range []http.RoundTripper{
		langfuseopenai.NewTransport(nil),
		langfuseanthropic.NewTransport(nil),
		langfusegenai.NewTransport(nil),
		langfuseollama.NewTransport(nil),
		langfusebedrock.NewTransport(nil),
	} {
		_ = &http.Client{Transport: rt}
	}
}
`

// TestIntegrationsAreGettable builds a program that uses the integrations
// in a module outside the tree, as after a user's `go get`: both modules
// come from a module proxy (a local file-based one serving them at the
// tagged versions, made from this tree), the integrations module's
// replace directive is ignored, and the build must still succeed.
func TestIntegrationsAreGettable(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds a module outside the tree; -short")
	}
	root := repoRoot(t)
	version := "v" + langfuse.Version
	work := t.TempDir()

	proxy := filepath.Join(work, "proxy")
	files := trackedFiles(t, root)
	serveModule(t, proxy, rootModule, version, root, "", files)
	serveModule(t, proxy, integrationsModule, version, root, "integrations", files)

	consumer := filepath.Join(work, "consumer")
	require.NoError(t, os.MkdirAll(consumer, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(consumer, "main.go"), []byte(consumerMain), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(consumer, "go.mod"), []byte("module example.com/consumer\n\ngo 1.25.0\n"), 0o644))

	// Modules already downloaded on this machine are served from its
	// cache, so that only ours come from the new proxy; the test's own
	// module cache keeps the versions it makes from the machine's.
	cacheDownload := filepath.Join(goEnv(t, "GOMODCACHE"), "cache", "download")
	modcache := filepath.Join(work, "modcache")
	env := append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(cacheDownload)+","+goEnv(t, "GOPROXY"),
		"GONOSUMDB="+rootModule, "GONOSUMCHECK=1", "GOFLAGS=-mod=mod", "GOWORK=off", "GOMODCACHE="+modcache,
	)
	t.Cleanup(func() {
		clean := exec.Command("go", "clean", "-modcache")
		clean.Env = env
		_ = clean.Run() // the module cache is read-only; this makes it removable
	})
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = consumer, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	run("get", integrationsModule+"@"+version)
	// -trimpath keeps the build cache independent of where the module
	// cache is, so the packages of other modules built before are reused.
	run("build", "-trimpath", "-o", filepath.Join(work, "example"+exeSuffix()), ".")

	mod, err := os.ReadFile(filepath.Join(consumer, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), rootModule+" "+version, "the library comes at its tagged version")
	assert.Contains(t, string(mod), integrationsModule+" "+version)
	listed := run("list", "-m", "-f", "{{.Path}} {{.Version}} {{.Dir}}", rootModule)
	assert.NotContains(t, listed, root, "the library is not taken from the tree")
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// trackedFiles lists the files of the tree a release would hold: those git
// tracks, and new ones it does not ignore, relative to root.
func trackedFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	require.NoError(t, err, "git ls-files")
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" {
			continue
		}
		if info, err := os.Lstat(filepath.Join(root, f)); err == nil && info.Mode().IsRegular() {
			files = append(files, f)
		}
	}
	return files
}

// serveModule writes module path at version, made of the files under dir
// (relative to root; "" for root itself) that belong to no nested module,
// into proxy in the layout of a GOPROXY: list, .info, .mod and .zip.
func serveModule(t *testing.T, proxy, path, version, root, dir string, files []string) {
	t.Helper()
	nested := map[string]bool{}
	for _, f := range files {
		if filepath.Base(f) == "go.mod" && filepath.Dir(f) != filepath.Clean("./"+dir) {
			nested[filepath.Dir(f)] = true
		}
	}
	inModule := func(f string) (string, bool) {
		rel := f
		if dir != "" {
			var ok bool
			if rel, ok = strings.CutPrefix(f, dir+"/"); !ok {
				return "", false
			}
		}
		for d := filepath.Dir(f); d != "." && d != filepath.Clean(dir); d = filepath.Dir(d) {
			if nested[d] {
				return "", false
			}
		}
		return rel, true
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	n := 0
	for _, f := range files {
		rel, ok := inModule(f)
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		w, err := zw.Create(path + "@" + version + "/" + rel)
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
		n++
	}
	require.NoError(t, zw.Close())
	require.Positive(t, n, "no files for %s", path)

	at := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	require.NoError(t, os.MkdirAll(at, 0o755))
	mod, err := os.ReadFile(filepath.Join(root, dir, "go.mod"))
	require.NoError(t, err)
	info, err := json.Marshal(map[string]any{"Version": version, "Time": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"list": []byte(version + "\n"), version + ".info": info, version + ".mod": mod, version + ".zip": buf.Bytes(),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(at, name), data, 0o644))
	}
}
