package extract_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract/soffice"
)

// A legacy .doc (made here from a corpus .docx by LibreOffice, the way a
// county office's Word 2003 would save it) reads as well as the original.
func TestLegacyDoc(t *testing.T) {
	conv := &soffice.Converter{}
	if !conv.Available() {
		t.Skip("LibreOffice not installed (make test installs it)")
	}
	docs, err := corpus.Load("../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	ex := newExtractor()
	ex.Convert = conv.Convert
	for _, d := range docs {
		if d.Format() != "docx" || d.Truth.Edition != "nat2024" || d.Truth.Kind != "" {
			continue
		}
		dir := t.TempDir()
		bin, _ := exec.LookPath("soffice")
		cmd := exec.Command(bin, "-env:UserInstallation=file://"+filepath.Join(dir, "p"), "--headless", "--convert-to", "doc", "--outdir", dir, d.Path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make .doc: %v %s", err, out)
		}
		base := filepath.Base(d.Path)
		data, err := os.ReadFile(filepath.Join(dir, base[:len(base)-len(filepath.Ext(base))]+".doc"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ex.Extract(context.Background(), "legacy.doc", data)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Format != "doc" {
			t.Errorf("format = %s, want doc", rep.Format)
		}
		s := corpus.Compare(rep, d)
		for _, m := range s.Misses {
			t.Error(m)
		}
		t.Logf("%s as .doc: fields %d/%d, checkboxes %d/%d, texts %d/%d", base, s.FieldsOK, s.Fields, s.BoxesOK, s.Boxes, s.TextsOK, s.Texts)
	}
}
