package bulk

import (
	"archive/zip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWalkTakesScanImages: folders and zips give up their scans saved as
// images (the kinds filetype lists, any case), and still skip other files.
func TestWalkTakesScanImages(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.TIF", "b.jpeg", "c.png", "d.gif", "e.PDF", "f.tiff", "g.bmp"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zf, err := os.Create(filepath.Join(dir, "z.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for _, n := range []string{"scan/p1.jpg", "scan/p2.gif"} {
		w, _ := zw.Create(n)
		w.Write([]byte("x"))
	}
	zw.Close()
	zf.Close()
	items, fails := Walk([]string{dir}, 1<<20)
	var got []string
	for _, it := range items {
		rel, _ := filepath.Rel(dir, it.Path)
		got = append(got, rel)
	}
	want := []string{"a.TIF", "b.jpeg", "c.png", "e.PDF", "f.tiff", "z.zip!/scan/p1.jpg"}
	slices.Sort(got)
	if !slices.Equal(got, want) || len(fails) != 0 {
		t.Errorf("walked %q (fails %v), want %q", got, fails, want)
	}
}
