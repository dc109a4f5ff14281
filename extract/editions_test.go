package extract_test

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/layout"
)

// sureEdition is the confidence at or above which an edition is taken
// without a reviewer's look.
const sureEdition = 0.9

// TestEditionsSure requires every corpus application and summary table to
// be detected as its edition and sure of it, and — the worst error there
// is — never sure of a wrong one: each document is detected again with its
// own edition taken out of the set, as a form of an edition the service
// does not know yet would be, and whatever edition comes closest must say
// it is unsure. Scans are included with SHENBAO_SCANS=1, or those read
// into a SCAN_CACHE already.
func TestEditionsSure(t *testing.T) {
	scans := os.Getenv("SHENBAO_SCANS") == "1"
	full := newExtractor()
	without := map[string]*extract.Extractor{}
	for _, d := range corpusDocs(t) {
		if d.Format() == "scan" && !scans && !cached(os.Getenv("SCAN_CACHE"), d.Path) {
			continue
		}
		name := filepath.Base(d.Path)
		_, rep, _, err := readDoc(t, full, d)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if rep.Edition.ID != d.EditionID() || rep.Edition.Confidence < sureEdition {
			t.Errorf("%s: edition %s at %.2f, want %s at ≥ %.1f (candidates %v)", name, rep.Edition.ID, rep.Edition.Confidence, d.EditionID(), sureEdition, rep.Edition.Candidates)
		}
		ex := without[d.EditionID()]
		if ex == nil {
			ex = extract.New(setWithout(t, d.EditionID()))
			cacheScans(ex, os.Getenv("SCAN_CACHE"))
			without[d.EditionID()] = ex
		}
		_, rep, _, err = readDoc(t, ex, d)
		if err != nil {
			// Refused as no known form: as good as unsure.
			continue
		}
		t.Logf("%s without %s: %s at %.2f (%v)", name, d.Truth.Edition, rep.Edition.ID, rep.Edition.Confidence, rep.Edition.Candidates)
		if rep.Edition.ID != shenbao.EditionUnknown && rep.Edition.Confidence >= sureEdition {
			t.Errorf("%s without its edition %s: taken for %s at %.2f, want unsure", name, d.Truth.Edition, rep.Edition.ID, rep.Edition.Confidence)
		}
	}
}

// setWithout loads the templates less edition id and the summary tables
// that list its applications.
func setWithout(t *testing.T, id string) *layout.Set {
	t.Helper()
	all := layout.MustLoad()
	fsys := fstest.MapFS{}
	for _, tp := range all.All() {
		if tp.ID == id || tp.Parent == id {
			continue
		}
		data, err := os.ReadFile(filepath.Join("../layout/editions", tp.ID+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		fsys["editions/"+tp.ID+".yaml"] = &fstest.MapFile{Data: data}
	}
	set, err := layout.LoadFS(fsys, "editions")
	if err != nil {
		t.Fatal(err)
	}
	return set
}
