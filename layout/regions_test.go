package layout

import (
	"testing"

	"github.com/shenbao/shenbao"
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

// fieldsMapper is a mapper holding only fields, key → value and confidence.
func fieldsMapper(fs ...any) *mapper {
	m := &mapper{}
	for i := 0; i+2 < len(fs)+1; i += 3 {
		m.out.Fields = append(m.out.Fields, shenbao.Field{Key: fs[i].(string), Value: fs[i+1].(string), Confidence: fs[i+2].(float64)})
	}
	return m
}

func values(m *mapper) map[string]string {
	out := map[string]string{}
	for _, f := range m.out.Fields {
		out[f.Key] = f.Value
	}
	return out
}

func TestRepairCity(t *testing.T) {
	tests := []struct {
		name   string
		m      *mapper
		want   map[string]string
		lowers bool // the city's confidence is lowered
	}{
		{"two cities one off (荆州, 鄂州): the one the name holds",
			fieldsMapper("region_prov", "湖北", 0.75, "region_city", "草州", 0.75, "cover_name", "湖北省草州市清阳市智能家电产业集群", 0.75, "name", "湖北省荆州市清阳市智能家电产业集群", 0.9),
			map[string]string{"region_city": "荆州", "cover_name": "湖北省荆州市清阳市智能家电产业集群", "name": "湖北省荆州市清阳市智能家电产业集群"}, true},
		{"two cities one off and nothing names either: unchanged",
			fieldsMapper("region_prov", "湖北", 0.75, "region_city", "草州", 0.75, "cover_name", "湖北省草州市清阳市智能家电产业集群", 0.75),
			map[string]string{"region_city": "草州", "cover_name": "湖北省草州市清阳市智能家电产业集群"}, false},
		{"one city one off",
			fieldsMapper("region_prov", "湖南省", 0.75, "region_city", "湘谭", 0.75, "name", "湘谭市青水区泵业产业集群", 0.9),
			map[string]string{"region_city": "湘潭", "name": "湘潭市青水区泵业产业集群"}, true},
		{"a known city; a name's misread one is put right",
			fieldsMapper("region_prov", "湖北", 0.75, "region_city", "荆州", 0.75, "cover_name", "湖北省斌州市清阳市智能家电产业集群", 0.75),
			map[string]string{"region_city": "荆州", "cover_name": "湖北省荆州市清阳市智能家电产业集群"}, false},
		{"another known city in a name is no misreading (荆门 beside 荆州)",
			fieldsMapper("region_prov", "湖北", 0.75, "region_city", "荆州", 0.75, "org", "荆门市产业园运营管理有限公司", 0.9),
			map[string]string{"region_city": "荆州", "org": "荆门市产业园运营管理有限公司"}, false},
		{"nothing near: unchanged",
			fieldsMapper("region_prov", "湖北", 0.75, "region_city", "某某", 0.75),
			map[string]string{"region_city": "某某"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.m.repairCity()
			got := values(tt.m)
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if c := tt.m.out.Fields[1].Confidence; (c < 0.75) != tt.lowers {
				t.Errorf("city confidence %.2f", c)
			}
		})
	}
}

func TestRepairCounty(t *testing.T) {
	tests := []struct {
		name string
		m    *mapper
		want map[string]string
	}{
		{"two sure names write the county as 所属地区 does: the names one off follow",
			fieldsMapper("region_county", "凤溪市", 0.75, "cover_name", "湖北省孝感市风溪市仪器仪表产业集群", 0.75, "name", "湖北省孝感市风溪市仪器仪表产业集群", 0.86,
				"dept", "凤溪市科技经济信息化局", 0.92, "org", "凤溪市仪器仪表产业园区管理委员会", 0.93),
			map[string]string{"cover_name": "湖北省孝感市凤溪市仪器仪表产业集群", "name": "湖北省孝感市凤溪市仪器仪表产业集群", "region_county": "凤溪市"}},
		{"the sure names against 所属地区: 所属地区 follows",
			fieldsMapper("region_county", "稚丰区", 0.75, "dept", "鹤丰区经济和信息化局", 0.92, "org", "鹤丰区经济开发区管理委员会", 0.95),
			map[string]string{"region_county": "鹤丰区"}},
		{"no sure witness, one reading written as places are: it is the county's, in every value",
			fieldsMapper("region_county", "稚丰区", 0.75, "cover_name", "宁波市鹤丰区锂电池材料产业集群", 0.53, "dept", "稚丰区经济和信息化局", 0.44, "org", "稚丰区经济开发区管理委员会", 0.71,
				"plat_other.names", "稚丰区锂电池材料产业技术研究院", 0.8),
			map[string]string{"region_county": "鹤丰区", "cover_name": "宁波市鹤丰区锂电池材料产业集群", "dept": "鹤丰区经济和信息化局",
				"org": "鹤丰区经济开发区管理委员会", "plat_other.names": "鹤丰区锂电池材料产业技术研究院"}},
		{"no sure witness, both readings written as places are: unchanged",
			fieldsMapper("region_county", "凤溪市", 0.75, "name", "风溪市仪器仪表产业集群", 0.6, "dept", "凤溪市科技经济信息化局", 0.7),
			map[string]string{"region_county": "凤溪市", "name": "风溪市仪器仪表产业集群"}},
		{"one sure witness: unchanged",
			fieldsMapper("region_county", "凤溪市", 0.75, "name", "风溪市仪器仪表产业集群", 0.6, "dept", "凤溪市科技经济信息化局", 0.92),
			map[string]string{"name": "风溪市仪器仪表产业集群"}},
		{"sure witnesses on both sides: unchanged",
			fieldsMapper("region_county", "凤溪市", 0.75, "name", "风溪市仪器仪表产业集群", 0.95, "dept", "凤溪市科技经济信息化局", 0.92, "org", "凤溪市产业园区管理委员会", 0.93),
			map[string]string{"name": "风溪市仪器仪表产业集群"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := values(tt.m)
			tt.m.repairCounty()
			got := values(tt.m)
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for i, f := range tt.m.out.Fields {
				if f.Value != before[f.Key] && f.Confidence >= sureRead {
					t.Errorf("%s changed and sure (%.2f)", f.Key, tt.m.out.Fields[i].Confidence)
				}
			}
		})
	}
}

// A county's misreading settled from its names is put right in the long
// answers too, and they are left doubted.
func TestRepairCountyInTexts(t *testing.T) {
	m := fieldsMapper("region_county", "稚丰区", 0.75, "cover_name", "宁波市鹤丰区锂电池材料产业集群", 0.53)
	m.out.Texts = []shenbao.Text{{Key: "plan", Text: "集群位于宁波市稚丰区，是稚丰区重点培育的特色产业集群。", Confidence: 0.9}}
	m.repairCounty()
	if got := m.out.Texts[0]; got.Text != "集群位于宁波市鹤丰区，是鹤丰区重点培育的特色产业集群。" || got.Confidence >= sureRead {
		t.Errorf("text = %q (confidence %.2f)", got.Text, got.Confidence)
	}
}
