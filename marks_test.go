package shenbao

import "testing"

func TestMarkState(t *testing.T) {
	for _, r := range "☑☒■√✓✔⊠" {
		if MarkState(r) != 1 {
			t.Errorf("MarkState(%q) != checked", r)
		}
	}
	for _, r := range "□☐" {
		if MarkState(r) != -1 {
			t.Errorf("MarkState(%q) != empty", r)
		}
	}
	for _, r := range "是否R" {
		if MarkState(r) != 0 {
			t.Errorf("MarkState(%q) != not a mark", r)
		}
	}
}
