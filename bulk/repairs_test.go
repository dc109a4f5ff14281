package bulk

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

// The applications table of every export carries how many values the
// corrections stage changed, in its last column.
func TestRepairCountExported(t *testing.T) {
	rep := &shenbao.Report{File: "a.pdf", Edition: shenbao.EditionMatch{ID: "nat2022"}, Repairs: []shenbao.Repair{
		{FieldID: "ent_count.2021", Rule: "digit_shapes", Read: "l2", Value: "12", ConfidenceBefore: 0.9, ConfidenceAfter: 0.63},
		{FieldID: "name", Rule: "punct_width", Read: "甲(乙)", Value: "甲（乙）", ConfidenceBefore: 0.9, ConfidenceAfter: 0.85},
	}}
	o := &Outcome{Results: []Result{{Path: "a.pdf", Report: rep}, {Path: "b.docx", Report: &shenbao.Report{File: "b.docx"}}}}
	path := filepath.Join(t.TempDir(), "r.csv")
	if err := Write(path, o, nil, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	last := len(rows[0]) - 1
	if rows[0][last] != "识别更正 repairs" || rows[1][last] != "2" || rows[2][last] != "0" {
		t.Errorf("repair column: header %q, rows %q, %q; want 识别更正 repairs, 2, 0", rows[0][last], rows[1][last], rows[2][last])
	}
}
