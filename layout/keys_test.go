package layout

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestKeyIsOneMeasure: a key shared by several editions asks one question
// — same type and unit, and the same label up to whitespace and width or a
// declared same/differs — and the history check compares exactly the rows
// that ask it.
func TestKeyIsOneMeasure(t *testing.T) {
	set := MustLoad()
	row := func(ed, key string) *Spec {
		t.Helper()
		tp, ok := set.Get(ed)
		if !ok {
			t.Fatalf("no edition %s", ed)
		}
		return tp.Row(key)
	}
	for _, c := range []struct {
		a, b [2]string
		want bool
	}{
		{[2]string{"nat2022", "total_output"}, [2]string{"gd2023", "total_output"}, true}, // （ vs (
		{[2]string{"nat2022", "hitech"}, [2]string{"nat2023", "hitech"}, true},
		{[2]string{"nat2023", "main_cagr"}, [2]string{"nat2024", "main_cagr"}, true}, // declared same
		{[2]string{"nat2023", "zjtx"}, [2]string{"nat2024", "zjtx"}, false},          // declared differs
		{[2]string{"cq2024", "patent_per10k"}, [2]string{"nat2024", "patent_per10k"}, true},
		{[2]string{"nat2023", "patent_per10k"}, [2]string{"nat2024", "patent_per10k"}, false},
		{[2]string{"nat2022", "sme_count"}, [2]string{"gd2023", "sme_count"}, true},
	} {
		if got := Comparable(row(c.a[0], c.a[1]), row(c.b[0], c.b[1])); got != c.want {
			t.Errorf("Comparable(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	// gd2023's broader 高新技术企业… row is not the national forms' hitech.
	if r := row("gd2023", "hitech"); r != nil {
		t.Errorf("gd2023 still files %q under hitech", r.Label)
	}
	if r := row("gd2023", "hitech_broad"); r == nil || Comparable(r, row("nat2022", "hitech")) {
		t.Error("gd2023's hitech_broad missing or comparable with nat2022's hitech")
	}

	// A data file that reuses a key for another question is refused, until
	// it declares how the question relates.
	gd, _ := editionFS.ReadFile("editions/gd2023.yaml")
	nat, _ := editionFS.ReadFile("editions/nat2022.yaml")
	load := func(gd string) error {
		_, err := LoadFS(fstest.MapFS{"e/gd.yaml": {Data: []byte(gd)}, "e/nat.yaml": {Data: nat}}, "e")
		return err
	}
	if err := load(string(gd)); err != nil {
		t.Fatalf("the embedded pair: %v", err)
	}
	reused := strings.Replace(string(gd), "key: hitech_broad", "key: hitech", 1)
	if err := load(reused); err == nil || !strings.Contains(err.Error(), "key hitech") {
		t.Errorf("hitech reused as a text row: %v, want refused", err)
	}
	relabelled := strings.Replace(string(gd), "label: \"其中：集群中小企业数量\"", "label: \"集群中型企业数量\"", 1)
	if relabelled == string(gd) {
		t.Fatal("gd2023 has no sme_count label to change")
	}
	if err := load(relabelled); err == nil || !strings.Contains(err.Error(), "key sme_count") {
		t.Errorf("sme_count printed as another question: %v, want refused", err)
	}
	declared := strings.Replace(relabelled, "label: \"集群中型企业数量\"", "label: \"集群中型企业数量\"\n    differs: \"medium firms only\"", 1)
	if err := load(declared); err != nil {
		t.Errorf("declared differs: %v", err)
	}
}
