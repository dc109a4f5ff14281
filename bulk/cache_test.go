package bulk

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// copyEditions copies the embedded templates' source files to a temp dir, as
// a province would keep its own.
func copyEditions(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	names, err := filepath.Glob("../layout/editions/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("templates: %v", err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func templatesKey(t *testing.T, dir string) string {
	t.Helper()
	set, err := layout.LoadFS(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	return set.Fingerprint()
}

// TestCacheMissesOnTemplateChange: an entry cached with one set of
// templates is not served once a template changes.
func TestCacheMissesOnTemplateChange(t *testing.T) {
	dir := copyEditions(t)
	build := "vcs-abc"
	before := &Cache{Dir: t.TempDir(), Key: CacheKey(build, templatesKey(t, dir), nil)}
	sum := Sum([]byte("an application"))
	if err := before.Put(sum, &shenbao.Report{File: "a.docx"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := before.Get(sum); !ok {
		t.Fatal("entry not found with the key it was stored under")
	}

	p := filepath.Join(dir, "nat2024.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "limit: 200", "limit: 300", 1)
	if changed == string(data) {
		t.Fatal("nat2024.yaml has no 200-character limit to change")
	}
	if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	after := &Cache{Dir: before.Dir, Key: CacheKey(build, templatesKey(t, dir), nil)}
	if after.Key == before.Key {
		t.Fatal("a changed template keeps the cache key")
	}
	if _, ok := after.Get(sum); ok {
		t.Error("an extraction made with the old template was served")
	}
}

func info(settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

// TestBuildID: a rebuilt binary is another build — by its revision when it
// was built from a clean checkout, by its bytes otherwise — and so misses
// every entry of the build before it.
func TestBuildID(t *testing.T) {
	dir := t.TempDir()
	exe := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldExe, newExe, sameExe := exe("old", "binary one"), exe("new", "binary two"), exe("same", "binary one")
	id := func(bi *debug.BuildInfo, exe string) string {
		t.Helper()
		s, err := BuildID(bi, exe)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	clean := func(rev string) *debug.BuildInfo { return info("vcs.revision", rev, "vcs.modified", "false") }
	dirty := info("vcs.revision", "abc", "vcs.modified", "true")
	for _, c := range []struct {
		name     string
		a, b     string
		sameWant bool
	}{
		{"clean: same revision, other bytes", id(clean("abc"), oldExe), id(clean("abc"), newExe), true},
		{"clean: new revision", id(clean("abc"), oldExe), id(clean("def"), oldExe), false},
		{"dirty tree: rebuilt with other code", id(dirty, oldExe), id(dirty, newExe), false},
		{"dirty tree: the same bytes", id(dirty, oldExe), id(dirty, sameExe), true},
		{"no VCS stamp: rebuilt", id(info(), oldExe), id(nil, newExe), false},
		{"dirty is not the clean revision", id(dirty, oldExe), id(clean("abc"), oldExe), false},
	} {
		if got := c.a == c.b; got != c.sameWant {
			t.Errorf("%s: %s vs %s, same = %v, want %v", c.name, c.a, c.b, got, c.sameWant)
		}
	}
	if _, err := BuildID(dirty, filepath.Join(dir, "missing")); err == nil {
		t.Error("an unreadable executable gave an id")
	}

	// The key follows the build: an entry of the old binary is not served
	// to the new one.
	c := &Cache{Dir: t.TempDir(), Key: CacheKey(id(dirty, oldExe), "t", nil)}
	sum := Sum([]byte("x"))
	if err := c.Put(sum, &shenbao.Report{}); err != nil {
		t.Fatal(err)
	}
	c.Key = CacheKey(id(dirty, newExe), "t", nil)
	if _, ok := c.Get(sum); ok {
		t.Error("the rebuilt binary was served the old binary's extraction")
	}
	if Build() == "" {
		t.Error("the running test binary has no build id")
	}
}

// TestCacheKeyCorrections: the corrections stage's rules, and their order,
// are part of the key.
func TestCacheKeyCorrections(t *testing.T) {
	keys := map[string]bool{}
	for _, rules := range [][]string{nil, {"percent@1"}, {"percent@2"}, {"percent@1", "county@1"}, {"county@1", "percent@1"}} {
		keys[CacheKey("b", "t", rules)] = true
	}
	if len(keys) != 5 {
		t.Errorf("%d distinct keys for 5 rule lists", len(keys))
	}
	if CacheKey("b", "t", []string{"x"}) != CacheKey("b", "t", []string{"x"}) {
		t.Error("the key is not stable")
	}
}

// TestCacheRoundTrip: what Get reads back is exactly what Put stored, for
// every Word and PDF application of the corpus copy (Put writes with
// encoding/json, Get reads with json v2) and for the fields' edge cases:
// a zero number, a missing one, a page and box or none.
func TestCacheRoundTrip(t *testing.T) {
	r := runner(t, t.TempDir())
	paths, _ := filepath.Glob("../testdata/corpus/*_0*_*.*")
	var reps []*shenbao.Report
	for _, p := range paths {
		if strings.HasSuffix(p, ".json") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := r.Pipeline.Extract(t.Context(), filepath.Base(p), data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		reps = append(reps, rep)
	}
	zero, page := 0.0, 3
	reps = append(reps, &shenbao.Report{File: "edge", Fields: []shenbao.Field{
		{ID: "a", Number: &zero, Page: &page, BBox: &shenbao.Box{1, 2, 3, 4}}, {ID: "b", Value: "无"}}})
	for i, rep := range reps {
		sum := Sum([]byte(rep.File))
		if err := r.Cache.Put(sum, rep); err != nil {
			t.Fatal(err)
		}
		got, ok := r.Cache.Get(sum)
		if !ok {
			t.Fatalf("%d %s: not read back", i, rep.File)
		}
		if !reflect.DeepEqual(got, rep) {
			t.Errorf("%s: read back differs from what was stored", rep.File)
		}
	}
}
