package correct

import (
	"testing"

	"github.com/shenbao/shenbao/layout"
)

// FuzzStage: whatever OCR read into a scan's numbers, names, plan targets
// and declaration, the stage never panics, never raises a confidence,
// and records every change it makes.
func FuzzStage(f *testing.F) {
	for _, s := range []string{"l2", "217:52", "0.62吨/万元（降低11.9896）", "叶春梅  /全", "2023年6月12介", "出 □额", "盛阳具", "公共服务乎台", "", "无"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		d := doc(t,
			in{key: "region_county", col: "县（市、区）", value: a},
			in{key: "cover_dept", value: b},
			in{key: "ent_count", col: "2021年", value: a, cell: true, digits: "12"},
			in{key: "plan_rd", col: "2024年目标值", value: b, cell: true},
			in{key: "signer", col: "单位负责人（签字）：", value: c, cell: true},
			in{key: "sign_date", col: "日期", value: c, cell: true},
			in{key: "name", value: c, cell: true},
		)
		before := map[string]string{}
		conf := map[string]float64{}
		for _, f := range d.Fields {
			before[f.ID], conf[f.ID] = f.Value, f.Confidence
		}
		m := &layout.Mapped{Fields: d.Fields, Readings: d.readings}
		repairs := Apply(m, nat2022())
		changed := map[string]bool{}
		for _, r := range repairs {
			if r.ConfidenceAfter >= r.ConfidenceBefore {
				t.Errorf("repair %+v does not lower confidence", r)
			}
			changed[r.FieldID] = true
		}
		for _, f := range m.Fields {
			if f.Confidence > conf[f.ID] {
				t.Errorf("%s: confidence raised %.3f → %.3f", f.ID, conf[f.ID], f.Confidence)
			}
			if f.Value != before[f.ID] && !changed[f.ID] {
				t.Errorf("%s changed %q → %q with no repair recorded", f.ID, before[f.ID], f.Value)
			}
		}
	})
}
