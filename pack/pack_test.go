package pack

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/shenbao/shenbao"
)

// fill sets every member of v, recursively, to a random value: nil or not
// for pointers and lists, so a member the codec forgets (or a nil it turns
// into an empty list) makes the round trip differ.
func fill(rng *rand.Rand, v reflect.Value, pool []string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(pool[rng.IntN(len(pool))])
	case reflect.Int:
		v.SetInt(rng.Int64N(1<<40) - 1<<39)
	case reflect.Float64:
		v.SetFloat(rng.NormFloat64() * 1e6)
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 1)
	case reflect.Pointer:
		if rng.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(rng, v.Elem(), pool)
		}
	case reflect.Slice:
		if rng.IntN(4) > 0 {
			n := rng.IntN(5)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fill(rng, v.Index(i), pool)
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(rng, v.Index(i), pool)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(rng, v.Field(i), pool)
		}
	default:
		panic("pack test: no filler for " + v.Kind().String())
	}
}

func TestRoundTrip(t *testing.T) {
	pool := []string{"", "a", "集群总产值（亿元）", "集群已开展的产业链强链补链工作：联合上下游企业组建创新联合体", "二、主导产业情况", "2021年", "72.99", "\x00\xff not UTF-8"}
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var r shenbao.Report
		fill(rng, reflect.ValueOf(&r).Elem(), pool)
		var got shenbao.Report
		if err := Unmarshal(Marshal(&r), &got); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("seed %d: round trip differs\n got %+v\nwant %+v", seed, got, r)
		}
	}
}

// TestRealReport: a Word application's report (as stored by encoding/json)
// packs smaller than its JSON and comes back as the same JSON.
func TestRealReport(t *testing.T) {
	_, r := realReport(t)
	p := Marshal(&r)
	var got shenbao.Report
	if err := Unmarshal(p, &got); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(&r)
	back, _ := json.Marshal(&got)
	if string(back) != string(want) {
		t.Fatal("the unpacked report marshals to other JSON")
	}
	if len(p) > len(want)/2 {
		t.Errorf("packed %d bytes, JSON %d: want at most half", len(p), len(want))
	}
}

// realReport is a Word application's report as stored by encoding/json:
// its JSON and the report.
func realReport(t testing.TB) ([]byte, shenbao.Report) {
	data, err := os.ReadFile("testdata/nat2024_01.report.json")
	if err != nil {
		t.Fatal(err)
	}
	var r shenbao.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return data, r
}

func TestCorrupt(t *testing.T) {
	r := shenbao.Report{File: "a.docx", Fields: []shenbao.Field{{ID: "x", Value: "1"}}}
	p := Marshal(&r)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"json", []byte(`{"file":"a.docx"}`)},
		{"empty", nil},
		{"version", append([]byte(magic+"\x09"), p[5:]...)},
		{"cut", p[:len(p)-3]},
		{"trailing", append(append([]byte{}, p...), 0)},
		{"huge list", []byte(magic + "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\x0f")},
		{"bad reference", []byte(magic + "\x01\x05")},
	} {
		var got shenbao.Report
		if err := Unmarshal(c.data, &got); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", c.name, err)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	_, r := realReport(f)
	f.Add(Marshal(&r))
	f.Add(Marshal(&shenbao.Report{}))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r shenbao.Report
		if Unmarshal(data, &r) != nil {
			return
		}
		// What decodes packs back to a body that decodes the same.
		var again shenbao.Report
		if err := Unmarshal(Marshal(&r), &again); err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("re-pack differs: %v", err)
		}
	})
}

func BenchmarkUnmarshal(b *testing.B) {
	data, r := realReport(b)
	p := Marshal(&r)
	b.Run("pack", func(b *testing.B) {
		for b.Loop() {
			var got shenbao.Report
			if err := Unmarshal(p, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			var got shenbao.Report
			if err := json.Unmarshal(data, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMarshal(b *testing.B) {
	_, r := realReport(b)
	b.Run("pack", func(b *testing.B) {
		for b.Loop() {
			Marshal(&r)
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(&r)
		}
	})
}
