package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shenbao/shenbao"
)

// A reading is made once and kept; a later call takes the kept one, a
// failed reading keeps nothing, and a damaged kept file is an error.
func TestKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.json")
	reads := 0
	read := func() (*shenbao.Content, error) {
		reads++
		return &shenbao.Content{Format: shenbao.FormatPDFScan, Pages: []shenbao.PageSize{{Width: 595, Height: 842}}}, nil
	}
	for range 2 {
		c, err := Kept(path, read)
		if err != nil || c.Format != shenbao.FormatPDFScan || len(c.Pages) != 1 {
			t.Fatalf("Kept: %+v, %v", c, err)
		}
	}
	if reads != 1 {
		t.Errorf("read %d times, want once", reads)
	}
	failed := filepath.Join(t.TempDir(), "b.json")
	boom := errors.New("boom")
	if _, err := Kept(failed, func() (*shenbao.Content, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failed reading: %v, want boom", err)
	}
	if _, err := os.Stat(failed); err == nil {
		t.Error("a failed reading was kept")
	}
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Kept(path, read); err == nil {
		t.Error("a damaged kept reading was taken")
	}
}
