package bulk

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/crosscheck"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/layout"
	"github.com/shenbao/shenbao/pipeline"
)

// archive lays out a small archive: corpus applications in nested folders
// and in a zip whose member names are GBK, as Chinese Windows writes them,
// plus a file that is not an application.
func archive(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, _ := filepath.Glob("../testdata/corpus/*_docx.docx")
	if len(src) < 3 {
		t.Fatal("corpus copies missing")
	}
	os.MkdirAll(filepath.Join(dir, "2024", "湖北"), 0o755)
	for i, p := range src {
		data, _ := os.ReadFile(p)
		sub := dir
		if i%2 == 0 {
			sub = filepath.Join(dir, "2024", "湖北")
		}
		os.WriteFile(filepath.Join(sub, filepath.Base(p)), data, 0o644)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("申报表/重庆.docx")
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: gbk, Method: zip.Deflate, NonUTF8: true})
	data, _ := os.ReadFile(src[0])
	w.Write(data)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "batch.zip"), zb.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("不是申报表"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.docx"), []byte("PK\x03\x04 broken"), 0o644)
	return dir
}

func runner(t testing.TB, cacheDir string) *Runner {
	t.Helper()
	set := layout.MustLoad()
	ex := extract.New(set)
	rules, err := criteria.Load()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := crosscheck.New(set)
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{
		Pipeline: &pipeline.Pipeline{Extractor: ex, Rules: rules},
		Cache:    &Cache{Dir: cacheDir, Key: CacheKey(Build(), set.Fingerprint(), nil)},
		Workers:  2,
		Cross:    cc,
	}
}

func TestWalk(t *testing.T) {
	dir := archive(t)
	items, fails := Walk([]string{dir, filepath.Join(dir, "missing")}, 100<<20)
	var names []string
	for _, it := range items {
		names = append(names, strings.TrimPrefix(it.Path, dir))
	}
	joined := strings.Join(names, "\n")
	if !strings.Contains(joined, "batch.zip!/申报表/重庆.docx") {
		t.Errorf("GBK zip member not decoded: %s", joined)
	}
	if strings.Contains(joined, "notes.txt") {
		t.Error("a .txt file was taken for an application")
	}
	if len(fails) != 1 || fails[0].Code != shenbao.ENOTFOUND {
		t.Errorf("fails = %+v, want the missing path", fails)
	}
	if _, fails := Walk([]string{dir}, 1); len(fails) == 0 {
		t.Error("size limit not applied")
	}
}

func outputs(t *testing.T, o *Outcome, fails []Failure) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "r.csv")
	if err := Write(p, o, fails, map[string][]int{}); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, f := range []string{"r.csv", "r.findings.csv", "r.failures.csv"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, string(data))
	}
	return strings.Join(all, "\n----\n")
}

// countingCtx cancels after n documents have been read, like a clerk's
// Ctrl-C half-way through a run.
func TestInterruptResume(t *testing.T) {
	dir := archive(t)
	items, fails := Walk([]string{dir}, 100<<20)

	full := runner(t, t.TempDir()).Run(context.Background(), items)
	if full.Interrupted {
		t.Fatal("uninterrupted run says interrupted")
	}
	want := outputs(t, full, fails)

	cache := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var read int64
	half := make([]Item, len(items))
	for i, it := range items {
		it := it
		half[i] = Item{Path: it.Path, Size: it.Size, open: func() ([]byte, error) {
			if atomic.AddInt64(&read, 1) == int64(len(items)/2) {
				cancel()
			}
			return it.Read()
		}}
	}
	first := runner(t, cache).Run(ctx, half)
	if !first.Interrupted {
		t.Fatal("cancelled run not reported as interrupted")
	}
	second := runner(t, cache).Run(context.Background(), items)
	cached := 0
	for _, r := range second.Results {
		if r.Cached {
			cached++
		}
	}
	if cached == 0 {
		t.Error("the resumed run re-extracted everything")
	}
	if got := outputs(t, second, fails); got != want {
		t.Errorf("resumed outputs differ from an uninterrupted run:\n%s\n====\n%s", got, want)
	}
	for _, r := range second.Results {
		if strings.HasSuffix(r.Path, "broken.docx") && (r.Failure == nil || r.Failure.Code != shenbao.EINVALID) {
			t.Errorf("broken file: %+v", r)
		}
	}
}

func TestWriteFormats(t *testing.T) {
	dir := archive(t)
	items, fails := Walk([]string{dir}, 100<<20)
	o := runner(t, t.TempDir()).Run(context.Background(), items)
	out := t.TempDir()
	for _, name := range []string{"r.xlsx", "r.jsonl", "r.csv"} {
		if err := Write(filepath.Join(out, name), o, fails, map[string][]int{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info, err := os.Stat(filepath.Join(out, name)); err != nil || info.Size() == 0 {
			t.Errorf("%s not written", name)
		}
	}
	data, _ := os.ReadFile(filepath.Join(out, "r.jsonl"))
	if n := strings.Count(string(data), "\n"); n != len(items)+len(fails) {
		t.Errorf("jsonl has %d lines, want %d", n, len(items)+len(fails))
	}
	if err := Write(filepath.Join(out, "r.txt"), o, fails, nil); err == nil {
		t.Error("unknown output format accepted")
	}
}
