package table

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestWriteCSV(t *testing.T) {
	rows := [][]string{
		{`=HYPERLINK("http://evil.example","点我")`, "+1+2", "-A1", "@SUM(A1)", "\t=1", "\r=1"},
		// What must stay as it is: numbers, negative or signed, and text.
		{"-3.5", "+7", "12", "重庆市", "a=b", ""},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []string{"=名称", "b", "c", "d", "e", "f"}, rows); err != nil {
		t.Fatal(err)
	}
	out, ok := strings.CutPrefix(buf.String(), "\ufeff")
	if !ok {
		t.Fatal("no byte-order mark")
	}
	got, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"'=名称", "b", "c", "d", "e", "f"},
		{`'=HYPERLINK("http://evil.example","点我")`, "'+1+2", "'-A1", "'@SUM(A1)", "'\t=1", "'\r=1"},
		{"-3.5", "+7", "12", "重庆市", "a=b", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		for j := range want[i] {
			// encoding/csv reads a quoted \r as \n; compare past it.
			if g := strings.ReplaceAll(got[i][j], "\n", "\r"); g != want[i][j] {
				t.Errorf("row %d cell %d: %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
}
