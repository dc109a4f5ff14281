package layout

import (
	"testing"
)

func TestProvinces(t *testing.T) {
	if len(provinces) != 31 {
		t.Fatalf("%d provinces, want 31", len(provinces))
	}
	if c := citiesOf("湖北"); len(c) != 17 || c[8] != "荆州市" {
		t.Errorf("湖北: %v", c)
	}
	for in, want := range map[string]string{"荆州市": "荆州", "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "兴安盟": "兴安", "阿里地区": "阿里", "湖北省": "湖北", "海淀区": "海淀"} {
		if got := regionStem(in); got != want {
			t.Errorf("regionStem(%q) = %q, want %q", in, got, want)
		}
	}
}
