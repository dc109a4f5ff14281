package crosscheck

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

var update = flag.Bool("update", false, "rewrite golden files")

type archiveSpec struct {
	Documents []struct {
		File          string `yaml:"file"`
		Truth         string `yaml:"truth"`
		SameClusterAs string `yaml:"same_cluster_as"`
		Name          string `yaml:"name"`
		Set           []struct {
			Key, Column, Value string
		} `yaml:"set"`
		CopyTexts []struct {
			Key     string            `yaml:"key"`
			From    string            `yaml:"from"`
			Replace map[string]string `yaml:"replace"`
		} `yaml:"copy_texts"`
		KeepRows []string `yaml:"keep_rows"`
	} `yaml:"documents"`
}

// identityKeys are the fields that say which cluster an application is.
var identityKeys = []string{"name", "cover_name", "org", "cover_org", "region_prov", "region_city", "region_county"}

// buildArchive turns the spec into reports, applying its deliberate changes.
func buildArchive(t *testing.T, dir string) (*archiveSpec, []*shenbao.Report) {
	data, err := os.ReadFile(filepath.Join(dir, "archive.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var spec archiveSpec
	if err := yaml.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	byFile := map[string]*shenbao.Report{}
	var reports []*shenbao.Report
	for _, d := range spec.Documents {
		r := truthReport(t, readTruth(t, filepath.Join(dir, d.Truth)))
		r.File = d.File
		if len(d.KeepRows) > 0 {
			r.Fields = slices.DeleteFunc(r.Fields, func(f shenbao.Field) bool { return !slices.Contains(d.KeepRows, f.Column) })
		}
		if d.SameClusterAs != "" {
			other := byFile[d.SameClusterAs]
			if other == nil {
				t.Fatalf("%s: same_cluster_as %s must come earlier", d.File, d.SameClusterAs)
			}
			becomeCluster(r, other, d.Name)
		}
		for _, s := range d.Set {
			f := field(r, s.Key, s.Column)
			if f == nil {
				t.Fatalf("%s: no field %s/%s to set", d.File, s.Key, s.Column)
			}
			f.Value = s.Value
			f.Number = nil
			if x, err := strconv.ParseFloat(s.Value, 64); err == nil {
				f.Number = &x
			}
		}
		for _, c := range d.CopyTexts {
			src, dst := text(byFile[c.From], c.Key), text(r, c.Key)
			if src == nil || dst == nil {
				t.Fatalf("%s: cannot copy %s from %s", d.File, c.Key, c.From)
			}
			var pairs []string
			for _, k := range sortedKeys(c.Replace) {
				pairs = append(pairs, k, c.Replace[k])
			}
			dst.Text = strings.NewReplacer(pairs...).Replace(src.Text)
		}
		byFile[d.File] = r
		reports = append(reports, r)
	}
	return &spec, reports
}

// becomeCluster makes r an application of other's cluster: other's
// identity (with name, when given, as the slightly changed name) and
// other's values for every year both report.
func becomeCluster(r, other *shenbao.Report, name string) {
	for _, k := range identityKeys {
		for i := range r.Fields {
			f := &r.Fields[i]
			if f.Key != k {
				continue
			}
			// By key alone: editions print the region blanks' headers
			// differently (县(市、区) / 县（市、区）).
			for _, o := range other.Fields {
				if o.Key == k {
					f.Value = o.Value
					break
				}
			}
			if name != "" && (k == "name" || k == "cover_name") {
				f.Value = name
			}
		}
	}
	for i := range r.Fields {
		f := &r.Fields[i]
		if o := field(other, f.Key, f.Column); f.Year != 0 && o != nil {
			f.Value, f.Number = o.Value, o.Number
		}
	}
}

func field(r *shenbao.Report, key, col string) *shenbao.Field {
	for i := range r.Fields {
		if r.Fields[i].Key == key && r.Fields[i].Column == col {
			return &r.Fields[i]
		}
	}
	return nil
}

func text(r *shenbao.Report, key string) *shenbao.Text {
	if r == nil {
		return nil
	}
	for i := range r.Texts {
		if r.Texts[i].Key == key {
			return &r.Texts[i]
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestArchiveGolden runs every check over the test archive and compares
// the results with the golden file (regenerate with -update); and whatever
// the golden file says, each deliberate change must be among them.
func TestArchiveGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the gse dictionary")
	}
	spec, reports := buildArchive(t, "testdata")
	results := testChecker(t).Run(reports, Options{Segmenter: testSegmenter(t)})

	got, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "archive.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("results differ from %s (rerun with -update and review the diff):\n%s", golden, got)
	}

	has := func(kind, doc, other, col string) bool {
		for _, r := range results {
			if r.Finding.Kind == kind && r.Document == doc && slices.Contains(r.Others, other) && (col == "" || r.Finding.Column == col) {
				return true
			}
		}
		return false
	}
	// onKey: a history finding on the changed key itself, not another
	// changed in the same column.
	onKey := func(doc, other, key, col string) bool {
		return slices.ContainsFunc(results, func(r Result) bool {
			return r.Finding.Kind == shenbao.KindHistoryMismatch && r.Finding.Column == col &&
				(r.Document == doc && slices.Contains(r.Others, other) || r.Document == other && slices.Contains(r.Others, doc)) &&
				slices.ContainsFunc(r.Finding.FieldIDs, func(id string) bool { return strings.HasPrefix(id, key+".") })
		})
	}
	for _, d := range spec.Documents {
		for _, s := range d.Set {
			switch {
			case d.SameClusterAs != "" && layout.ColumnYear(s.Column) != 0:
				// The later edition carries the finding, naming the earlier.
				if !onKey(d.File, d.SameClusterAs, s.Key, s.Column) {
					t.Errorf("%s: changed %s %s not reported as history_mismatch", d.File, s.Key, s.Column)
				}
			case len(d.KeepRows) > 0:
				if !has(shenbao.KindSummaryMismatch, d.File, "", "") && !slices.ContainsFunc(results, func(r Result) bool {
					return r.Document == d.File && r.Finding.Kind == shenbao.KindSummaryMismatch && r.Finding.Column == s.Column
				}) {
					t.Errorf("%s: changed %s row %s not reported", d.File, s.Key, s.Column)
				}
			}
		}
		for _, c := range d.CopyTexts {
			if !has(shenbao.KindDuplicateText, d.File, c.From, "") || !has(shenbao.KindDuplicateText, c.From, d.File, "") {
				t.Errorf("%s: %s copied from %s not reported on both", d.File, c.Key, c.From)
			}
		}
	}
}

// countingSegmenter counts the answers it is asked to cut.
type countingSegmenter struct {
	Segmenter
	n atomic.Int64
}

func (s *countingSegmenter) Cut(text string, hmm ...bool) []string {
	s.n.Add(1)
	return s.Segmenter.Cut(text, hmm...)
}

// TestShingleCache: a second run with the cache segments nothing and
// reports the same.
func TestShingleCache(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the gse dictionary")
	}
	_, reports := buildArchive(t, "testdata")
	ck := testChecker(t)
	seg := &countingSegmenter{Segmenter: testSegmenter(t)}
	opts := Options{Segmenter: seg, Shingles: &MemoryCache{}}
	first := ck.Run(reports, opts)
	cut := seg.n.Load()
	second := ck.Run(reports, opts)
	if seg.n.Load() != cut || cut == 0 {
		t.Errorf("segmented %d answers in the first run and %d in the second, want all then none", cut, seg.n.Load()-cut)
	}
	if !reflect.DeepEqual(first, second) {
		t.Error("results differ with the cache")
	}
}

// TestMessagesNameFiles: a message names another document by its file name
// and the archive it came in, never by the path it had on the machine that
// ran the check; Document and Others keep the caller's names.
func TestMessagesNameFiles(t *testing.T) {
	_, reports := buildArchive(t, "testdata")
	const dir = "/tmp/run-1/上传/批次7.zip!/申报表/"
	for _, r := range reports {
		r.File = dir + r.File
	}
	results := testChecker(t).Run(reports, Options{})
	if len(results) == 0 {
		t.Fatal("no results")
	}
	named := 0
	for _, r := range results {
		if strings.Contains(r.Finding.Message, "/") {
			t.Errorf("%s message holds a path: %s", r.Finding.Rule, r.Finding.Message)
		}
		if strings.Contains(r.Finding.Message, "（批次7.zip）") {
			named++
		}
		if r.Document != "" && !strings.HasPrefix(r.Document, dir) {
			t.Errorf("Document %q is not the caller's name", r.Document)
		}
	}
	if named == 0 {
		t.Error("no message names a document with its archive")
	}
	for in, want := range map[string]string{
		"/tmp/x/a.pdf":                "a.pdf",
		"a.pdf":                       "a.pdf",
		"/tmp/x/b.zip!/history/a.pdf": "a.pdf（b.zip）",
		`C:\data\a.docx`:              "a.docx",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}
