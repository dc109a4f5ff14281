package crosscheck

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

type corpusSet struct {
	truths  map[string]*truthFile
	reports []*shenbao.Report
}

func loadCorpus(t *testing.T) *corpusSet {
	dir := sharedCorpus(t)
	paths, err := filepath.Glob(filepath.Join(dir, "*.truth.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no truth files in %s: %v", dir, err)
	}
	c := &corpusSet{truths: map[string]*truthFile{}}
	for _, p := range paths {
		tf := readTruth(t, p)
		c.truths[tf.File] = tf
		c.reports = append(c.reports, truthReport(t, tf))
	}
	return c
}

// TestCorpusSummaries: every planted summary_mismatch is found, and on the
// rest of the corpus no row disagrees with its application. Which
// applications are missing from the tables is computed from the truth's row
// references, not written down here.
func TestCorpusSummaries(t *testing.T) {
	c := loadCorpus(t)
	ck := testChecker(t)
	results := ck.Run(c.reports, Options{})

	want := map[string]bool{}
	listed := map[string]bool{}
	covered := map[string]bool{} // edition/unit with a summary table
	for _, tf := range c.truths {
		for _, d := range tf.Defects {
			if d.Kind == shenbao.KindSummaryMismatch {
				want[tf.File+"#"+d.Column] = true
			}
		}
		if tf.Kind == "summary_table" {
			for _, f := range tf.Fields {
				if f.Ref != "" {
					listed[f.Ref] = true
					app := c.truths[f.Ref]
					covered[app.Edition+"/"+ck.rules.unit(truthRegion(app))] = true
				}
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("corpus has no planted summary_mismatch; the test would prove nothing")
	}
	wantUnlisted := map[string]bool{}
	for _, tf := range c.truths {
		if tf.Cluster != nil && !listed[tf.File] && covered[tf.Edition+"/"+ck.rules.unit(truthRegion(tf))] {
			wantUnlisted[tf.File] = true
		}
	}

	got := map[string]bool{}
	gotUnlisted := map[string]bool{}
	for _, r := range results {
		if r.Finding.Kind != shenbao.KindSummaryMismatch {
			continue
		}
		switch r.Finding.Rule {
		case "summary.unlisted":
			gotUnlisted[r.Document] = true
		default:
			got[r.Document+"#"+r.Finding.Column] = true
			t.Logf("%s row %s: %s %s", r.Document, r.Finding.Column, r.Finding.Rule, r.Finding.Message)
		}
	}
	if !mapsEqual(got, want) {
		t.Errorf("summary findings (row level) = %v, want %v", keys(got), keys(want))
	}
	if !mapsEqual(gotUnlisted, wantUnlisted) {
		t.Errorf("unlisted applications = %v, want %v", keys(gotUnlisted), keys(wantUnlisted))
	}
	t.Logf("applications of a covered province/county in no summary table: %v", keys(gotUnlisted))
}

func truthRegion(tf *truthFile) Region {
	return Region{Province: tf.Cluster.Province, City: tf.Cluster.City, County: tf.Cluster.County}
}

// TestCorpusClusters: the applications the truth says are the same
// invented cluster are matched, and no others.
func TestCorpusClusters(t *testing.T) {
	c := loadCorpus(t)
	ck := testChecker(t)
	var apps []*doc
	for _, r := range c.reports {
		tpl, _ := ck.templates.Get(r.Edition.ID)
		if c.truths[r.File].Cluster != nil {
			apps = append(apps, newDoc(r, tpl, ck.rules))
		}
	}
	want := map[string]bool{}
	for i := range apps {
		for j := i + 1; j < len(apps); j++ {
			a, b := c.truths[apps[i].file].Cluster, c.truths[apps[j].file].Cluster
			if a.Province == b.Province && a.County == b.County && a.Industry == b.Industry {
				want[apps[i].file+"="+apps[j].file] = true
			}
		}
	}
	got := map[string]bool{}
	for _, p := range matchClusters(apps, Options{}.withDefaults().MatchThreshold).pairs {
		got[apps[p.i].file+"="+apps[p.j].file] = true
	}
	if !mapsEqual(got, want) {
		t.Errorf("matched = %v, want %v", keys(got), keys(want))
	}
	t.Logf("%d applications; %d pairs share a cluster in the truth", len(apps), len(want))
	results := ck.Run(c.reports, Options{})
	for _, r := range results {
		if r.Finding.Kind == shenbao.KindHistoryMismatch {
			t.Errorf("history finding on the clean corpus: %s %s", r.Document, r.Finding.Message)
		}
		if r.Finding.Kind == KindQuota {
			t.Errorf("quota finding on the corpus: %s", r.Finding.Message)
		}
	}
}

// TestCorpusDuplicates: the corpus plants no copied answer. Its generator
// builds answers from a shared pool of sentences, so this is also the
// calibration of the default threshold: the closest pair of different
// clusters' long answers must stay below it.
func TestCorpusDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the gse dictionary")
	}
	c := loadCorpus(t)
	ck := testChecker(t)
	results := ck.Run(c.reports, Options{Segmenter: testSegmenter(t)})
	for _, r := range results {
		if r.Finding.Kind == shenbao.KindDuplicateText {
			t.Errorf("duplicate on the clean corpus: %s ~ %v (%.2f): %s", r.Document, r.Others, r.Score, r.Finding.Message)
		}
	}
	low := ck.Run(c.reports, Options{Segmenter: testSegmenter(t), DuplicateThreshold: 0.3})
	best := 0.0
	for _, r := range low {
		if r.Finding.Kind == shenbao.KindDuplicateText {
			best = max(best, r.Score)
		}
	}
	t.Logf("closest pair of long answers of different clusters: Jaccard %.2f (threshold %.2f)", best, Options{}.withDefaults().DuplicateThreshold)
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return fmt.Sprintf("[%s]", strings.Join(ks, " "))
}

// TestCorpusIntroFacts: every application figure the truth says a 集群简介
// cites is read from it with its key, year and value as written.
func TestCorpusIntroFacts(t *testing.T) {
	c := loadCorpus(t)
	ck := testChecker(t)
	n := 0
	for _, tf := range c.truths {
		if tf.Kind != "summary_table" {
			continue
		}
		tpl, _ := ck.templates.Get(tf.Edition + "-summary")
		for _, f := range tf.Fields {
			mentions := tf.mentions[f.Column]
			if f.Key != "" || len(mentions) == 0 || !strings.HasPrefix(f.Label, "集群简介") {
				continue
			}
			cited := map[string]bool{}
			for _, cf := range ck.cite(f.Value, slices.Max(tpl.Years)) {
				cited[fmt.Sprintf("%s/%d/%s", cf.fact.Key, cf.year, cf.value)] = true
			}
			for _, m := range mentions {
				v := m.Value
				if m.ValueInSummary != "" {
					v = m.ValueInSummary
				}
				year := 0
				fmt.Sscanf(m.Column, "%d年", &year)
				if k := fmt.Sprintf("%s/%d/%s", m.Key, year, v); !cited[k] {
					t.Errorf("%s row %s: %s not read from %q (read %v)", tf.File, f.Column, k, f.Value, keys(cited))
				}
				n++
			}
		}
	}
	t.Logf("%d cited figures checked", n)
}
