package scan

import (
	"context"
	"image"
	"math"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
)

// fakeWitness reads each rect as the next of its readings and records
// which rects it was asked to read.
type fakeWitness struct {
	reads map[image.Rectangle][]ocr.Reading
	asked []image.Rectangle
}

func (f *fakeWitness) Read(_ context.Context, _ *image.Gray, rects []image.Rectangle) ([][]ocr.Reading, error) {
	f.asked = append(f.asked, rects...)
	out := make([][]ocr.Reading, len(rects))
	for i, r := range rects {
		out[i] = f.reads[r]
	}
	return out, nil
}

// witnessValues reads the page's value pieces, as finish does without
// Tesseract's second readings between, with the value recogniser
// and settles each piece's reading (see settle). With the engine ppocr
// its reading replaces Tesseract's; with both, the two are held against
// each other.
func (pg *page) witnessValues(ctx context.Context) error {
	v, err := pg.readValues(ctx, nil)
	if err != nil {
		return err
	}
	v.settle(pg)
	return nil
}

func TestWitnessValues(t *testing.T) {
	at := func(i int) image.Rectangle { return image.Rect(0, 40*i, 200, 40*i+30) }
	type piece struct {
		tess    string  // Tesseract's reading
		glyph   string  // tess as its glyph boxes read it (a percent_glyph reread), if otherwise
		conf    float64 // its confidence
		digits  string  // its digit model's reading, if any
		pp      string  // PP-OCR's reading ("" none)
		pmin    float64
		wide    bool // wider than a value
		narrow  bool // a count's cell, two ems wide
		engine  string
		text    string
		wantMin float64 // the settled confidence
	}
	cases := []piece{
		{tess: "曹春梅", conf: 0.9, pp: "曹春梅", pmin: 0.99, engine: "both", text: "曹春梅", wantMin: 1 - 0.01*0.1},
		// Against Tesseract, PP-OCR is doubted however sure it was.
		{tess: "草春梅", conf: 0.5, pp: "曹春梅", pmin: 0.99, engine: "ppocr", text: "曹春梅", wantMin: 0.99 * ocr.DisagreeFactor},
		// Two engines agreeing on a doubtful reading count half.
		{tess: "5", conf: 0.76, pp: "5", pmin: 0.6, engine: "both", text: "5", wantMin: 0.6 + 0.4*0.76/2},
		// Tesseract's % habit is held against PP-OCR after its repair.
		{tess: "12.3496", conf: 0.8, pp: "12.34%", pmin: 0.95, engine: "both", text: "12.34%", wantMin: 1 - 0.05*0.5},
		// So is its reading of digits inside a per-cent sign's box,
		// as its glyph boxes read it; the value is PP-OCR's.
		{tess: "789%", glyph: "78%", conf: 0.8, pp: "78%", pmin: 0.95, engine: "both", text: "78%", wantMin: ocr.Witnessed(0.95, true, 0.8)},
		// The digit model's reading is a witness too.
		{tess: "昌", conf: 0.5, digits: "3", pp: "3", pmin: 0.9, engine: "both", text: "3", wantMin: 1 - 0.1*0.2},
		// PP-OCR unsure of a reading without a letter or digit (a thin
		// 7 read as /), Tesseract sure of a number: Tesseract's number,
		// doubted as a disagreement is. Not where PP-OCR was sure, read
		// a letter, or Tesseract was unsure.
		{narrow: true, tess: "7", conf: 0.96, pp: "/", pmin: 0.65, engine: "tesseract", text: "7", wantMin: 0.96 * ocr.DisagreeFactor},
		{narrow: true, tess: "7", conf: 0.96, pp: "/", pmin: 0.95, engine: "ppocr", text: "/", wantMin: 0.95 * ocr.DisagreeFactor},
		{narrow: true, tess: "0", conf: 0.93, pp: "D", pmin: 0.45, engine: "tesseract", text: "0", wantMin: 0.93 * ocr.DisagreeFactor},
		{narrow: true, tess: "7", conf: 0.96, pp: "T", pmin: 0.95, engine: "ppocr", text: "T", wantMin: 0.95 * ocr.DisagreeFactor},
		{narrow: true, tess: "12", conf: 0.96, pp: "13", pmin: 0.6, engine: "ppocr", text: "13", wantMin: 0.6 * ocr.DisagreeFactor},
		{narrow: true, tess: "7", conf: 0.7, pp: "/", pmin: 0.65, engine: "ppocr", text: "/", wantMin: 0.65 * ocr.DisagreeFactor},
		{tess: "7", conf: 0.96, pp: "/", pmin: 0.65, engine: "ppocr", text: "/", wantMin: 0.65 * ocr.DisagreeFactor},
		// PP-OCR saw nothing: Tesseract's reading stands.
		{tess: "无", conf: 0.7, engine: "tesseract", text: "无", wantMin: 0.7},
		// Print and lines too wide for values are not read again.
		{tess: "集群名称", conf: 0.9, pp: "x", pmin: 1, engine: "tesseract", text: "集群名称", wantMin: 0.9},
		{tess: "一段很长的文字", conf: 0.9, pp: "x", pmin: 1, wide: true, engine: "tesseract", text: "一段很长的文字", wantMin: 0.9},
		// The colon's dot left of a cover value is no part of it.
		{tess: "刘雪梅  17365918451", conf: 0.9, pp: "．刘雪梅  17365918451", pmin: 0.8, engine: "both", text: "刘雪梅  17365918451", wantMin: ocr.AgreedDoubt},
		// Full-width forms and spaces do not make a disagreement.
		{tess: "023-7243 4345", conf: 0.9, pp: "023－72434345", pmin: 0.97, engine: "both", text: "023－72434345", wantMin: 1 - 0.03*0.1},
		// A printed prompt read otherwise under a seal's clutter: the
		// two agree on the name after it.
		{tess: "单位须政人(刊):韩永刚", conf: 0.3, pp: "单位负责人（签字）：  韩永刚", pmin: 0.99, engine: "both", text: "单位负责人（签字）：  韩永刚", wantMin: 1 - 0.01*0.7},
		{tess: "单位负责人(签字7:韩永刚", conf: 0.6, pp: "单位负责人（签字）：·韩永刚", pmin: 0.98, engine: "both", text: "单位负责人（签字）：·韩永刚", wantMin: 1 - 0.02*0.4},
		// Not on a name read otherwise, nor on a name alone where
		// Tesseract read no prompt before it, nor after a prompt so
		// short it may open a value.
		{tess: "单位须政人(刊):韩水刚", conf: 0.3, pp: "单位负责人（签字）：韩永刚", pmin: 0.99, engine: "ppocr", text: "单位负责人（签字）：韩永刚", wantMin: 0.99 * ocr.DisagreeFactor},
		{tess: "韩永刚", conf: 0.9, pp: "单位负责人（签字）：韩永刚", pmin: 0.99, engine: "ppocr", text: "单位负责人（签字）：韩永刚", wantMin: 0.99 * ocr.DisagreeFactor},
		{tess: "民营2021", conf: 0.9, pp: "国营2021", pmin: 0.99, engine: "ppocr", text: "国营2021", wantMin: 0.99 * ocr.DisagreeFactor},
		// The value after the prompt must be one: two characters, a
		// letter or digit among them.
		{tess: "单位须政人(刊):。", conf: 0.3, pp: "单位负责人（签字）：。", pmin: 0.99, engine: "ppocr", text: "单位负责人（签字）：。", wantMin: 0.99 * ocr.DisagreeFactor},
	}
	pg := newPage(1, 200, newPrintSet([]string{"集群名称（盖章）", "单位负责人（签字）：", "国营"}))
	pg.gray = image.NewGray(image.Rect(0, 0, 20000, 400))
	pg.bin = &bitmap{w: 20000, h: 400, pix: make([]bool, 20000*400)}
	w := &fakeWitness{reads: map[image.Rectangle][]ocr.Reading{}}
	pg.witness, pg.engine = w, ocr.EngineBoth
	pg.digits = map[int]digitReading{}
	for i, c := range cases {
		r := at(i)
		if c.wide {
			r.Max.X = r.Min.X + (maxValueEms+1)*pg.em
		}
		if c.narrow {
			r.Max.X = r.Min.X + 2*pg.em
		}
		pg.piece(r, ocr.Line)
		l := ocr.TextLine{Text: c.tess, Rect: r, Conf: c.conf, Low: c.conf}
		if c.glyph != "" {
			l.Rereads = []shenbao.Reread{{Kind: shenbao.RereadPercentGlyph, Read: c.tess, As: c.glyph}}
		}
		pg.res = append(pg.res, ocr.Result{Lines: []ocr.TextLine{l}})
		if c.digits != "" {
			pg.digits[i] = digitReading{ocr.TextLine{Text: c.digits, Conf: 0.8, Low: 0.8}, r}
		}
		if c.pp != "" {
			rd := ocr.Reading{Text: c.pp, Rect: r, Min: c.pmin}
			if c.pp[0] == 0xef { // a full stop first, read unsure
				rd.Min = 0.5
				rd.Chars = []ocr.CharProb{{Text: "．", Prob: 0.5}, {Text: "刘", Prob: c.pmin}}
			}
			w.reads[r] = []ocr.Reading{rd}
		}
	}
	if err := pg.witnessValues(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(w.asked) != len(cases)-2 {
		t.Errorf("asked to read %d pieces, want %d (not print, not wide)", len(w.asked), len(cases)-2)
	}
	for i, c := range cases {
		text, conf, _ := pg.text(i)
		if got := pg.engineOf(i); got != c.engine || text != c.text || math.Abs(conf-c.wantMin) > 1e-6 {
			t.Errorf("piece %d (%q / %q): %s %q %.4f, want %s %q %.4f", i, c.tess, c.pp, got, text, conf, c.engine, c.text, c.wantMin)
		}
		if _, kept := pg.digits[i]; kept && c.engine != "tesseract" {
			t.Errorf("piece %d: digit witness kept after settling", i)
		}
	}

	// Engine ppocr: PP-OCR's reading alone, its own confidence.
	pg.engine = ocr.EnginePPOCR
	pg.res[1] = ocr.Result{Lines: []ocr.TextLine{{Text: "草春梅", Rect: at(1), Conf: 0.9, Low: 0.9}}}
	pg.res[0] = ocr.Result{Lines: []ocr.TextLine{{Text: "曹春梅", Rect: at(0), Conf: 0.9, Low: 0.9}}}
	pg.pieces = pg.pieces[:2]
	pg.res = pg.res[:2]
	if err := pg.witnessValues(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if text, conf, _ := pg.text(i); pg.engineOf(i) != "ppocr" || text != "曹春梅" || conf != 0.99 {
			t.Errorf("ppocr alone, piece %d: %s %q %.3f", i, pg.engineOf(i), text, conf)
		}
	}
	// Engine tesseract: nothing read again.
	pg.engine, w.asked = ocr.EngineTesseract, nil
	if err := pg.witnessValues(context.Background()); err != nil || len(w.asked) != 0 {
		t.Errorf("tesseract alone read %d pieces again (%v)", len(w.asked), err)
	}
}

// TestAgreedSkipsRereads: a value both engines read alike, PP-OCR sure of
// it, is not read again; one they read otherwise, or PP-OCR doubts, is.
func TestAgreedSkipsRereads(t *testing.T) {
	pg := newPage(1, 200, nil)
	pg.engine = ocr.EngineBoth
	cases := []struct {
		tess, pp string
		pmin     float64
		settled  bool
	}{
		{"72.99", "72.99", 0.99, true},
		{"12.3496", "12.34%", 0.97, true}, // Tesseract's % habit, read past
		{"72.98", "72.99", 0.99, false},
		{"5", "5", 0.6, false}, // PP-OCR unsure: the second readings may tell
		{"无", "", 0, false},
	}
	var v valueReads
	for i, c := range cases {
		r := image.Rect(0, 40*i, 200, 40*i+30)
		pg.piece(r, ocr.Line)
		pg.res = append(pg.res, ocr.Result{Lines: []ocr.TextLine{{Text: c.tess, Rect: r, Conf: 0.8, Low: 0.8}}})
		v.idx = append(v.idx, i)
		var rs []ocr.Reading
		if c.pp != "" {
			rs = []ocr.Reading{{Text: c.pp, Rect: r, Min: c.pmin}}
		}
		v.res = append(v.res, rs)
	}
	settled := v.agreed(pg)
	for i, c := range cases {
		if settled[i] != c.settled {
			t.Errorf("%q / %q: settled %v, want %v", c.tess, c.pp, settled[i], c.settled)
		}
	}
	// Regions come per piece (an end reading has two): only the
	// unsettled pieces' stay, in order.
	regs := []ocr.Region{{Mode: ocr.Line}, {Mode: ocr.Char}, {Mode: ocr.Line}, {Mode: ocr.Char}, {Mode: ocr.Line}, {Mode: ocr.Char}}
	idx, got := unsettled(settled, 2)([]int{0, 2, 1}, regs)
	if len(idx) != 1 || idx[0] != 2 || len(got) != 2 || got[0] != regs[2] || got[1] != regs[3] {
		t.Errorf("unsettled: %v %v", idx, got)
	}
	if idx, got := unsettled(nil, 2)([]int{0, 2, 1}, regs); len(idx) != 3 || len(got) != 6 {
		t.Errorf("nothing settled: %v %v", idx, got)
	}
	// Only with both engines: Tesseract alone settles nothing early.
	pg.engine = ocr.EnginePPOCR
	if s := v.agreed(pg); len(s) != 0 {
		t.Errorf("ppocr alone: settled %v", s)
	}
}

// packingWitness reads a rect as packed when asked for several at once
// and as alone when asked for it by itself.
type packingWitness struct {
	packed, alone map[image.Rectangle][]ocr.Reading
	calls         [][]image.Rectangle
}

func (f *packingWitness) Read(_ context.Context, _ *image.Gray, rects []image.Rectangle) ([][]ocr.Reading, error) {
	f.calls = append(f.calls, rects)
	src := f.packed
	if len(rects) == 1 {
		src = f.alone
	}
	out := make([][]ocr.Reading, len(rects))
	for i, r := range rects {
		out[i] = src[r]
	}
	return out, nil
}

// TestLostEndMark: a line Tesseract read ending in a list's or sentence's
// mark that the packed reading lacks, all else the same, is read again
// alone and that reading kept; a line whose readings differ otherwise,
// or agree, or whose mark Tesseract did not read, is not read again.
func TestLostEndMark(t *testing.T) {
	at := func(i int) image.Rectangle { return image.Rect(0, 40*i, 200, 40*i+30) }
	cases := []struct {
		tess, packed, alone string
		again               bool
		want                string
	}{
		{"甲公司、乙公司、", "甲公司、乙公司", "甲公司、乙公司、", true, "甲公司、乙公司、"},
		{"完成设备更新。", "完成设备更新", "完成设备更新。", true, "完成设备更新。"},
		// Alone it reads the same: the reading stands.
		{"甲公司、乙公司，", "甲公司、乙公司", "甲公司、乙公司", true, "甲公司、乙公司"},
		{"甲公司、乙公司、", "甲公司、乙公司、", "", false, "甲公司、乙公司、"},
		{"甲公司、乙公司", "甲公司、乙公司", "", false, "甲公司、乙公司"},
		{"甲公司、丙公司、", "甲公司、乙公司", "", false, "甲公司、乙公司"},
		{"、", "", "", false, ""},
	}
	pg := newPage(1, 200, nil)
	pg.gray = image.NewGray(image.Rect(0, 0, 400, 400))
	w := &packingWitness{packed: map[image.Rectangle][]ocr.Reading{}, alone: map[image.Rectangle][]ocr.Reading{}}
	pg.witness, pg.engine = w, ocr.EngineBoth
	for i, c := range cases {
		r := at(i)
		pg.piece(r, ocr.Line)
		pg.res = append(pg.res, ocr.Result{Lines: []ocr.TextLine{{Text: c.tess, Rect: r, Conf: 0.9, Low: 0.9}}})
		if c.packed != "" {
			w.packed[r] = []ocr.Reading{{Text: c.packed, Min: 0.998, Rect: r}}
		}
		if c.alone != "" {
			w.alone[r] = []ocr.Reading{{Text: c.alone, Min: 0.99, Rect: r}}
		}
	}
	v, err := pg.readValues(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	again := map[image.Rectangle]bool{}
	for _, call := range w.calls[1:] {
		if len(call) != 1 {
			t.Fatalf("read again with %d lines at once, want each alone", len(call))
		}
		again[call[0]] = true
	}
	for k, i := range v.idx {
		c := cases[i]
		if again[at(i)] != c.again {
			t.Errorf("%q packed as %q: read again alone %v, want %v", c.tess, c.packed, again[at(i)], c.again)
		}
		got, _ := settledText(v.res[k])
		if got != c.want {
			t.Errorf("%q packed as %q: kept %q, want %q", c.tess, c.packed, got, c.want)
		}
	}
	if len(v.idx) != len(cases) {
		t.Errorf("%d of %d lines read as values", len(v.idx), len(cases))
	}
}
