package crosscheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-ego/gse"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/layout"
)

// Until the extraction pipeline is wired in, reports are built from the
// corpus ground truth: what a perfect extractor and mapper would produce.

// truthFile is a document's ground truth with the figures each summary
// row's 集群简介 cites (which package corpus does not read).
type truthFile struct {
	corpus.Truth
	mentions map[string][]truthMention // by the row's 序号
}

type truthMention struct {
	Key, Column, Value string
	ValueInSummary     string `json:"value_in_summary"`
}

func readTruth(t testing.TB, path string) *truthFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tf := &truthFile{mentions: map[string][]truthMention{}}
	var cites struct {
		Fields []struct {
			Column   string
			Mentions []truthMention
		}
	}
	if err := json.Unmarshal(data, &tf.Truth); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := json.Unmarshal(data, &cites); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, f := range cites.Fields {
		tf.mentions[f.Column] = append(tf.mentions[f.Column], f.Mentions...)
	}
	return tf
}

var (
	templatesOnce sync.Once
	templates     *layout.Set
)

func testTemplates(t testing.TB) *layout.Set {
	templatesOnce.Do(func() { templates = layout.MustLoad() })
	return templates
}

// truthReport converts ground truth into the report the pipeline would give.
func truthReport(t testing.TB, tf *truthFile) *shenbao.Report {
	t.Helper()
	edition := tf.Edition
	if tf.Kind == "summary_table" {
		edition += "-summary"
	}
	tpl, ok := testTemplates(t).Get(edition)
	if !ok {
		t.Fatalf("%s: no template %s", tf.File, edition)
	}
	r := &shenbao.Report{File: tf.File, Edition: shenbao.EditionMatch{ID: edition, Confidence: 1}}
	for _, f := range tf.Fields {
		key, id := f.Key, ""
		if tpl.Kind == layout.KindSummary {
			for _, s := range tpl.Rows {
				if s.Label == f.Label {
					key = s.Key
				}
			}
			if key == "" {
				t.Fatalf("%s: summary label %q not in template", tf.File, f.Label)
			}
			id = key + "." + f.Column
		} else {
			// The row as printed: the truth's key is the generator's, and a
			// template may file a question under a key of its own
			// (gd2023's broader 高新技术企业… row is hitech_broad).
			if s := tpl.Row(key); s == nil || s.Label != f.Label {
				for i := range tpl.Rows {
					if s := &tpl.Rows[i]; s.Section == f.Section && s.Label == f.Label && s.Parent == f.Parent {
						key = s.Key
						break
					}
				}
			}
			for i := range tpl.Rows {
				if s := &tpl.Rows[i]; s.Key == key {
					id = s.FieldID(f.Column)
					break
				}
			}
			if id == "" {
				id = key
			}
		}
		fld := shenbao.Field{ID: id, Key: key, Section: f.Section, Label: f.FullLabel(), Column: f.Column,
			Value: f.Value, Year: layout.ColumnYear(f.Column), Confidence: 1, Source: "truth"}
		if x, err := strconv.ParseFloat(strings.TrimSpace(f.Value), 64); err == nil {
			fld.Number = &x
		}
		for _, s := range tpl.Rows {
			if s.Key == key {
				fld.Unit = s.Unit
			}
		}
		r.Fields = append(r.Fields, fld)
	}
	for _, x := range tf.Texts {
		r.Texts = append(r.Texts, shenbao.Text{ID: x.Key, Key: x.Key, Section: x.Section, Label: x.FullLabel(),
			Text: x.Text, Chars: x.Chars, Limit: x.Limit, Confidence: 1})
	}
	return r
}

// sharedCorpus returns the corpus directory, skipping the test when this
// checkout has no ../shared beside it.
func sharedCorpus(t testing.TB) string {
	t.Helper()
	for _, dir := range []string{"../../shared/corpus", "/work/shared/corpus"} {
		if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
			return dir
		}
	}
	t.Skip("shared corpus not present")
	return ""
}

var (
	segOnce sync.Once
	seg     *gse.Segmenter
	segErr  error
)

// testSegmenter loads the dictionary once per test binary: seconds a load.
func testSegmenter(t testing.TB) *gse.Segmenter {
	t.Helper()
	segOnce.Do(func() { seg, segErr = NewSegmenter() })
	if segErr != nil {
		t.Fatal(segErr)
	}
	return seg
}

func testChecker(t testing.TB) *Checker {
	t.Helper()
	c, err := New(testTemplates(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
