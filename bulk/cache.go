package bulk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shenbao/shenbao"
)

// Cache keeps each document's extraction (the report before the checks) on
// disk, keyed by the file's SHA-256 and the extraction version, so a re-run
// reads no file twice and a rule change only re-runs the checks. Entries
// are written whole (temp file + rename): an interrupted run leaves only
// complete entries behind.
type Cache struct {
	Dir string
	// Version names the extraction that produced the entries: a new
	// version of the readers or templates misses every old entry.
	Version string
}

func (c *Cache) path(sum string) string {
	return filepath.Join(c.Dir, c.Version, sum[:2], sum+".json")
}

// Get returns the cached extraction of a document, if any.
func (c *Cache) Get(sum string) (*shenbao.Report, bool) {
	if c == nil || c.Dir == "" {
		return nil, false
	}
	data, err := os.ReadFile(c.path(sum))
	if err != nil {
		return nil, false
	}
	var rep shenbao.Report
	if err := json.Unmarshal(data, &rep); err != nil {
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
	data, err := json.Marshal(rep)
	if err != nil {
		return err
	}
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
