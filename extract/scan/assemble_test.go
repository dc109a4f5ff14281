package scan

import (
	"image"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
)

func TestParagraphConfidence(t *testing.T) {
	line := func(c ...float64) readLine {
		var l readLine
		for _, x := range c {
			l.lines = append(l.lines, shenbao.Line{Confidence: x})
		}
		return l
	}
	for _, tt := range []struct {
		name string
		p    []readLine
		want float64
	}{
		{"one sure line", []readLine{line(0.97)}, 0.97},
		{"the weakest line of a wrapped value", []readLine{line(0.97), line(0.62)}, 0.62},
		{"the weakest piece of a line", []readLine{line(0.95, 0.4)}, 0.4},
		{"a line read with no confidence is not unknown", []readLine{line(0.95), line(0)}, 0.01},
	} {
		if got := paragraphConfidence(tt.p); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A line whose tentative marks open no printed option is read whole, and
// says who read it and with what evidence, as any line does: the
// corrections stage weighs a value by its engine (an unnamed one is taken
// for Tesseract's), so losing it changed which rules applied.
func TestWholeLineKeepsEngine(t *testing.T) {
	r := image.Rect(0, 0, 400, 30)
	pg := &page{no: 1, dpi: 200, em: 28, bin: &bitmap{w: 400, h: 30, pix: make([]bool, 400*30)}, print: newPrintSet([]string{"是否建有公共服务平台"}),
		pieces: []ocr.Region{{Rect: image.Rect(30, 0, 400, 30), Mode: ocr.Line}, {Rect: r, Mode: ocr.Line}},
		res: []ocr.Result{
			{Lines: []ocr.TextLine{{Text: "娜", Conf: 0.9, Low: 0.9}}},
			{Lines: []ocr.TextLine{{Text: "沈娜", Rect: r, Conf: 0.99, Low: 0.99, Engine: ocr.EngineBoth, PP: 0.998, Tess: 0.84}}},
		}}
	m := &mark{kind: markEmpty, rect: image.Rect(0, 0, 28, 28), tentative: true}
	ls := []lineLay{{rect: r, piece: -1, whole: 1, segs: []segLay{{mark: m, rect: image.Rect(30, 0, 400, 30), piece: 0}}}}
	got := pg.readLines(ls)
	if len(got) != 1 || len(got[0].lines) != 1 {
		t.Fatalf("lines %+v", got)
	}
	l := got[0].lines[0]
	if l.Text != "沈娜" || l.Engine != ocr.EngineBoth || l.PP != 0.998 || l.Tess != 0.84 {
		t.Errorf("line %+v: want 沈娜 read by both (pp 0.998, tess 0.84)", l)
	}
}
