package bulk

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/pack"
)

// Cache keeps each document's extraction (the report before the checks) on
// disk, keyed by the file's SHA-256 and by what produced it (CacheKey), so a
// re-run reads no file twice and a rule change only re-runs the checks.
// Entries are written whole (temp file + rename): an interrupted run leaves
// only complete entries behind.
type Cache struct {
	Dir string
	// Key names the extraction that produced the entries (CacheKey): another
	// build, other templates or other correction rules miss every old entry.
	Key string
}

func (c *Cache) path(sum string) string {
	return filepath.Join(c.Dir, c.Key, sum[:2], sum+".pack")
}

// CacheKey names an extraction by everything it depends on: the build of the
// readers (Build), the templates (layout.Set.Fingerprint) and the
// corrections stage's rules in their order (name or name@version; nil while
// they are compiled in and so covered by the build). It is derived, never a
// constant someone must remember to change: a version number stayed "1"
// through 82 commits that changed what extraction produces.
func CacheKey(build, templates string, corrections []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "build %q\ntemplates %q\n", build, templates)
	for _, r := range corrections {
		fmt.Fprintf(h, "rule %q\n", r)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Build identifies the running binary for CacheKey (see BuildID); a binary
// whose identity cannot be read gets a key of its own for each run, which
// re-extracts rather than serve another build's entries.
func Build() string {
	info, _ := debug.ReadBuildInfo()
	exe, err := os.Executable()
	if err == nil {
		var id string
		if id, err = BuildID(info, exe); err == nil {
			return id
		}
	}
	return fmt.Sprintf("unknown-%d", os.Getpid())
}

// BuildID identifies a build: the module's VCS revision when the binary was
// built from a clean checkout, else (no VCS stamp: go run, go test, a build
// outside a checkout; or a dirty tree, whose revision says nothing of the
// edits) the SHA-256 of the executable's bytes, so every rebuild with other
// code is another build.
func BuildID(info *debug.BuildInfo, exe string) (string, error) {
	var rev string
	dirty := true
	if info != nil {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value != "false"
			}
		}
	}
	if rev != "" && !dirty {
		return "vcs-" + rev, nil
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", fmt.Errorf("hash executable: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash executable: %w", err)
	}
	return "exe-" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Get returns the cached extraction of a document, if any.
func (c *Cache) Get(sum string) (*shenbao.Report, bool) {
	if c == nil || c.Dir == "" {
		return nil, false
	}
	data, err := os.ReadFile(c.path(sum))
	if err == nil {
		// Entries are packed (package pack): decoding one is a few
		// hundred microseconds where JSON took milliseconds — it was most
		// of a cached re-check's time.
		var rep shenbao.Report
		if pack.Unmarshal(data, &rep) != nil {
			return nil, false
		}
		return &rep, true
	}
	// An entry written as JSON by an older build (a cache under a fixed
	// key) is read as it is: json v2 (the draft of encoding/json/v2)
	// decodes these reports 2.5× faster than encoding/json. Entries were
	// written by encoding/json (valid UTF-8, the struct's own member
	// names), which it reads alike.
	data, err = os.ReadFile(strings.TrimSuffix(c.path(sum), ".pack") + ".json")
	if err != nil {
		return nil, false
	}
	var rep shenbao.Report
	if err := jsonv2.Unmarshal(data, &rep); err != nil {
		return nil, false
	}
	return &rep, true
}

// Put stores a document's extraction.
func (c *Cache) Put(sum string, rep *shenbao.Report) error {
	if c == nil || c.Dir == "" {
		return nil
	}
	p := c.path(sum)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("cache dir: %w", err)
	}
	data := pack.Marshal(rep)
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("cache temp: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("cache write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Sum is the cache key of a document's bytes.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
