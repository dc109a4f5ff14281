package layout

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shenbao/shenbao"
)

// formOf builds the Content a reader makes of an application of edition
// id: its cover lines, each row's label in a table cell with its year
// headers in cells of their own, and a filing date written in the years
// that follow the data years (申报时间 2022年…), as forms are filled.
// misread changes the last character of the plan's headers (基准值 read
// as 基准催) and drops every third year header, as a rough scan does.
func formOf(t *testing.T, set *Set, id, filed string, misread bool) *shenbao.Content {
	t.Helper()
	tp, ok := set.Get(id)
	if !ok {
		t.Fatalf("no edition %s", id)
	}
	blocks := []shenbao.Block{para(tp.Title), para(tp.Maker), para("申报时间：" + filed)}
	var rows []shenbao.Row
	seen := map[string]bool{}
	n := 0
	for _, r := range tp.Rows {
		cs := []string{r.Label}
		for _, col := range r.Columns {
			for _, part := range strings.Split(col, "/") {
				if datedCell.MatchString(Norm(part)) && !seen[r.Key+part] {
					seen[r.Key+part] = true
					n++
					switch {
					case misread && n%3 == 0:
						part = ""
					case misread:
						part = strings.Replace(part, "值", "催", 1)
					}
					cs = append(cs, part)
				}
			}
		}
		cs = append(cs, r.Options...)
		rows = append(rows, cells(cs...))
	}
	blocks = append(blocks, table(rows...))
	format := shenbao.FormatDOCX
	if misread {
		format = shenbao.FormatPDFScan
	}
	return &shenbao.Content{Format: format, Blocks: blocks}
}

// setLess is the embedded set less edition id and its summary table.
func setLess(t *testing.T, id string) *Set {
	t.Helper()
	m := fstest.MapFS{}
	for _, tp := range MustLoad().All() {
		if tp.ID == id || tp.Parent == id {
			continue
		}
		d, err := editionFS.ReadFile("editions/" + tp.ID + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		m["e/"+tp.ID+".yaml"] = &fstest.MapFile{Data: d}
	}
	set, err := LoadFS(m, "e")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// The national 2022 and 2023 forms print the same labels; only their
// year headers tell them apart, and a 2022 form names 2022 elsewhere (its
// filing date, its plan's base year). The right one must be sure, and a
// form whose edition the set lacks must never be sure of its sibling.
func TestDetectYears(t *testing.T) {
	set := MustLoad()
	tests := []struct {
		name, id, filed string
		misread         bool
		without         bool // detect with id's edition taken out of the set
		want            string
		sure            bool
	}{
		{"2022 form filed in 2022", "nat2022", "2022年10月20日", false, false, "nat2022", true},
		{"2023 form filed in 2023", "nat2023", "2023年4月10日", false, false, "nat2023", true},
		{"2022 form, headers misread", "nat2022", "2022年10月20日", true, false, "nat2022", true},
		{"2023 form, headers misread", "nat2023", "2023年4月10日", true, false, "nat2023", true},
		{"Guangdong 2023", "gd2023", "2023年4月10日", false, false, "gd2023", true},
		{"2022 form, set without 2022", "nat2022", "2022年10月20日", false, true, "nat2023", false},
		{"2023 form, set without 2023", "nat2023", "2023年4月10日", false, true, "nat2022", false},
		{"Guangdong form, set without it", "gd2023", "2023年4月10日", false, true, "nat2023", false},
		{"2024 form, set without it", "nat2024", "2024年5月6日", false, true, "", false},
	}
	for _, tt := range tests {
		s := set
		if tt.without {
			s = setLess(t, tt.id)
		}
		got := s.Detect(formOf(t, set, tt.id, tt.filed, tt.misread))
		if tt.want != "" && got.ID != tt.want {
			t.Errorf("%s: edition %s (%v), want %s", tt.name, got.ID, got.Candidates, tt.want)
		}
		if sure := got.Confidence >= 0.9; sure != tt.sure {
			t.Errorf("%s: %s at %.2f (%v), want sure=%v", tt.name, got.ID, got.Confidence, got.Candidates, tt.sure)
		}
	}
}

// A year written in running text or in a date is no year header: it must
// not count for an edition, and a header must read as a header.
func TestDatedCell(t *testing.T) {
	for s, want := range map[string]bool{
		"2019年": true, "2021年基准值": true, "2024年目标值": true,
		"2022年10月": false, "2022年10月20日": false, "2019": false, "年度": false, "2022年度中小企业特色产业集群推荐汇总表": false,
	} {
		if got := datedCell.MatchString(Norm(s)); got != want {
			t.Errorf("datedCell(%q) = %v, want %v", s, got, want)
		}
	}
}
