package extract_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract"
)

// cacheScans makes ex keep what its scan engine reads in dir (SCAN_CACHE),
// by the file's SHA-256, and read it back from there: mapping, detection
// and corrections can then be worked on over a whole set of scans in
// seconds. A change to the scan reader itself needs the cache emptied.
func cacheScans(ex *extract.Extractor, dir string) {
	if dir == "" || ex.Scan == nil {
		return
	}
	scan := ex.Scan
	ex.Scan = func(ctx context.Context, r io.ReaderAt, size int64) (*shenbao.Content, error) {
		data := make([]byte, size)
		if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
			return nil, err
		}
		path := cachePath(dir, data)
		if b, err := os.ReadFile(path); err == nil {
			var c shenbao.Content
			if json.Unmarshal(b, &c) == nil {
				return &c, nil
			}
		}
		c, err := scan(ctx, r, size)
		if err != nil {
			return c, err
		}
		if b, err := json.Marshal(c); err == nil && os.MkdirAll(dir, 0o755) == nil {
			_ = os.WriteFile(path, b, 0o644)
		}
		return c, nil
	}
}

// cachePath is where the scan cache in dir keeps what was read of data.
func cachePath(dir string, data []byte) string {
	sum := sha256.Sum256(data)
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
}

// cached says whether the scan at path has been read into the cache dir.
func cached(dir, path string) bool {
	data, err := os.ReadFile(path)
	if err != nil || dir == "" {
		return false
	}
	_, err = os.Stat(cachePath(dir, data))
	return err == nil
}
