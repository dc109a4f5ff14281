//go:build cgo

package ocr

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
)

// testModels loads the installed models, or skips: `make models` installs
// them (make test does).
func testModels(t testing.TB) *Models {
	t.Helper()
	dir := FindModels(ModelDirs(""))
	if dir == "" {
		t.Skip("PP-OCR models not installed (make models)")
	}
	m, err := LoadModels(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testPPOCR is a recogniser of the installed models (testModels).
func testPPOCR(t testing.TB) *PPOCR {
	t.Helper()
	p, err := NewPPOCR(testModels(t), PPOCROptions{Runs: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// TestPPOCRReadsCells reads the cells of rows.png (see cells), the name
// Tesseract misreads included, and a two-line cell as its two lines.
func TestPPOCRReadsCells(t *testing.T) {
	p := testPPOCR(t)
	g := loadGray(t, "rows.png")
	want := []string{"联系人", "曹春梅", "联系方式", "023-72434345", "集群运营管理机构", "龙川县汽车零部件产业园区管理委员会"}
	rects := []image.Rectangle{cells[0].rect, cells[1].rect, cells[2].rect, cells[3].rect, cells[5].rect, cells[6].rect}
	res, err := p.Read(context.Background(), g, rects)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if len(r) != 1 || r[0].Text != want[i] {
			t.Errorf("cell %d: read %+v, want %q", i, r, want[i])
			continue
		}
		if r[0].Min < 0.5 || r[0].Min > 1 || len(r[0].Chars) != len([]rune(want[i])) {
			t.Errorf("cell %d: min %.3f over %d chars", i, r[0].Min, len(r[0].Chars))
		}
		if !r[0].Rect.In(rects[i]) {
			t.Errorf("cell %d: line %v outside the cell %v", i, r[0].Rect, rects[i])
		}
	}
	// Both rows as one region: two lines, top first.
	two, err := p.Read(context.Background(), g, []image.Rectangle{image.Rect(379, 4, 746, 102)})
	if err != nil {
		t.Fatal(err)
	}
	if len(two[0]) != 2 || two[0][0].Text != "曹春梅" || !strings.HasPrefix(two[0][1].Text, "龙川县汽车") {
		t.Errorf("two lines read as %+v", two[0])
	}
	// Paper alone reads as nothing.
	blank, err := p.Read(context.Background(), g, []image.Rectangle{image.Rect(0, 0, 5, 5), image.Rect(5000, 0, 5100, 40)})
	if err != nil || len(blank[0])+len(blank[1]) != 0 {
		t.Errorf("blank read %+v, %v", blank, err)
	}
}

// TestPPOCRBatchSameAsAlone: cells read together — short ones packed
// side by side, batched by width, padded to the widest of their batch —
// read as each does alone.
func TestPPOCRBatchSameAsAlone(t *testing.T) {
	p := testPPOCR(t)
	g := loadGray(t, "rows.png")
	var rects []image.Rectangle
	for _, c := range cells {
		rects = append(rects, c.rect)
	}
	together, err := p.Read(context.Background(), g, rects)
	if err != nil {
		t.Fatal(err)
	}
	rows := packLines(cropsOf(g, rects))
	if len(rows) >= len(rects) {
		t.Errorf("%d cells in %d input lines: none packed", len(rects), len(rows))
	}
	if n := len(planBatches(rowWidths(rows), 0)); n >= len(rows) {
		t.Errorf("%d input lines in %d batches: none shared", len(rows), n)
	}
	for i, r := range rects {
		alone, err := p.Read(context.Background(), g, []image.Rectangle{r})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := texts(alone[0]), texts(together[i]); a != b {
			t.Errorf("cell %d: alone %q, batched %q", i, a, b)
		}
	}
}

// packedCells are value cells of a 150-dpi gray copy of a lab page
// (packed_cells.png: the cells cut from cq2024_03's page 7 as
// TestValueCells makes it, the paper between them painted white), with
// what the page prints in them: lone digits, numbers, short names.
var packedCells = []struct {
	rect image.Rectangle
	text string
}{
	{image.Rect(9, 4, 56, 35), "3.39"},
	{image.Rect(259, 4, 306, 35), "3.75"},
	{image.Rect(509, 4, 556, 35), "4.05"},
	{image.Rect(4, 91, 62, 122), "19.00"},
	{image.Rect(253, 91, 312, 122), "20.04"},
	{image.Rect(503, 91, 562, 122), "20.68"},
	{image.Rect(22, 209, 42, 240), "0"},
	{image.Rect(106, 209, 126, 240), "0"},
	{image.Rect(272, 209, 292, 240), "0"},
	{image.Rect(356, 209, 376, 240), "2"},
	{image.Rect(522, 209, 542, 240), "0"},
	{image.Rect(606, 209, 626, 240), "2"},
	{image.Rect(22, 249, 42, 280), "2"},
	{image.Rect(106, 249, 126, 280), "7"},
	{image.Rect(272, 249, 292, 280), "2"},
	{image.Rect(356, 249, 376, 280), "7"},
	{image.Rect(522, 249, 542, 280), "2"},
	{image.Rect(606, 249, 626, 280), "1"},
	{image.Rect(22, 289, 42, 319), "2"},
	{image.Rect(101, 289, 131, 319), "11"},
	{image.Rect(272, 289, 292, 319), "2"},
	{image.Rect(350, 289, 381, 319), "10"},
	{image.Rect(522, 289, 542, 319), "2"},
	{image.Rect(600, 289, 631, 319), "10"},
	{image.Rect(22, 328, 42, 359), "6"},
	{image.Rect(106, 328, 126, 359), "1"},
	{image.Rect(272, 328, 292, 359), "2"},
	{image.Rect(356, 328, 376, 359), "2"},
	{image.Rect(522, 328, 542, 359), "9"},
	{image.Rect(600, 328, 631, 359), "14"},
	{image.Rect(161, 370, 280, 401), "数量： 3 个"},
	{image.Rect(161, 464, 214, 495), "中心"},
	{image.Rect(161, 504, 280, 535), "数量： 5 个"},
	{image.Rect(161, 607, 280, 638), "数量： 3 个"},
	{image.Rect(381, 708, 434, 739), "7321"},
	{image.Rect(379, 748, 436, 778), "11.75"},
	{image.Rect(392, 787, 423, 818), "23"},
	{image.Rect(379, 843, 437, 874), "38.80"},
	{image.Rect(379, 914, 437, 945), "32.78"},
	{image.Rect(381, 1003, 445, 1034), "24 个"},
	{image.Rect(326, 1034, 489, 1065), "（需提供清单）"},
}

// countingModel counts the lines and columns the model is run on.
type countingModel struct {
	recModel
	mu             sync.Mutex
	lines, columns int
}

func (m *countingModel) run(data []float32, dims []int64) ([]float32, []int64, error) {
	m.mu.Lock()
	m.lines += int(dims[0])
	m.columns += int(dims[0] * dims[3])
	m.mu.Unlock()
	return m.recModel.run(data, dims)
}

// TestPPOCRPackedSameAsAlone: short lines packed side by side into one
// input line read as each does alone, on real crops; Read keeps a packed
// reading only where the model was sure of it (packSure), reads the rest
// again alone and keeps that reading as it is, and reads fewer columns
// than reading every line alone.
func TestPPOCRPackedSameAsAlone(t *testing.T) {
	p := testPPOCR(t)
	g := loadGray(t, "packed_cells.png")
	var rects []image.Rectangle
	for _, c := range packedCells {
		rects = append(rects, c.rect)
	}
	crops := cropsOf(g, rects)
	if len(crops) != len(rects) {
		t.Fatalf("%d cells of one line each split into %d lines", len(rects), len(crops))
	}
	rows := packLines(crops)
	shared, inShared := 0, make([]bool, len(crops))
	for _, r := range rows {
		if len(r.crops) > 1 {
			shared += len(r.crops)
			for _, ci := range r.crops {
				inShared[ci] = true
			}
		}
	}
	if shared < len(crops)/2 {
		t.Fatalf("%d of %d lines packed with others", shared, len(crops))
	}
	ctx := context.Background()
	packedReads := make([]Reading, len(crops))
	if err := p.readRows(ctx, g, crops, rows, packedReads, 0); err != nil {
		t.Fatal(err)
	}
	var single []packed
	for i, c := range crops {
		single = append(single, packed{crops: []int{i}, width: scaledWidth(c.r)})
	}
	alone := make([]Reading, len(crops))
	if err := p.readRows(ctx, g, crops, single, alone, 0); err != nil {
		t.Fatal(err)
	}
	unsure, moved := 0, 0.0
	for i := range crops {
		moved = max(moved, math.Abs(packedReads[i].Min-alone[i].Min))
		if packedReads[i].Text != alone[i].Text {
			t.Errorf("line %d %v: packed %q (%.2f), alone %q (%.2f)", i, crops[i].r, packedReads[i].Text, packedReads[i].Min, alone[i].Text, alone[i].Min)
		}
		if inShared[i] && !packedSure(packedReads[i]) {
			unsure++
		}
	}
	cm := &countingModel{recModel: p.model}
	p.model = cm
	got, err := p.Read(ctx, g, rects)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(rows) + unsure; cm.lines != want {
		t.Errorf("%d lines run, want %d input lines and %d unsure read again", cm.lines, len(rows), unsure)
	}
	aloneCols := 0
	for _, c := range crops {
		aloneCols += max(recMinWidth, scaledWidth(c.r))
	}
	if cm.columns*3 > aloneCols*2 {
		t.Errorf("%d columns read packed, %d alone: want a third less at least", cm.columns, aloneCols)
	}
	t.Logf("%d lines in %d input lines, %d read again; %d columns against %d alone; least character probability moved by packing up to %.3f", len(crops), len(rows), unsure, cm.columns, aloneCols, moved)
	for i, c := range packedCells {
		if len(got[i]) != 1 {
			t.Errorf("cell %d: %d lines read", i, len(got[i]))
			continue
		}
		r, a := got[i][0], alone[i]
		if Key(r.Text) != Key(c.text) {
			t.Errorf("cell %d: read %q, the page prints %q", i, r.Text, c.text)
		}
		if !inShared[i] || packedSure(packedReads[i]) {
			if r.Min != packedReads[i].Min {
				t.Errorf("cell %d: sure packed reading %.3f not kept (%.3f)", i, packedReads[i].Min, r.Min)
			}
		} else if r.Text != a.Text || r.Min != a.Min {
			t.Errorf("cell %d: read again %q %.3f, alone %q %.3f", i, r.Text, r.Min, a.Text, a.Min)
		}
	}
}

func cropsOf(g *image.Gray, rects []image.Rectangle) []lineCrop {
	var out []lineCrop
	for _, r := range rects {
		out = append(out, splitLines(g, r)...)
	}
	return out
}

func texts(rs []Reading) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Text)
	}
	return strings.Join(out, "|")
}

func TestPPOCRCancelled(t *testing.T) {
	p := testPPOCR(t)
	g := loadGray(t, "rows.png")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Fill the slots first, so that the cancelled context is what stops it.
	p.slots <- struct{}{}
	p.slots <- struct{}{}
	defer func() { <-p.slots; <-p.slots }()
	if _, err := p.Read(ctx, g, []image.Rectangle{cells[0].rect}); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestModelsBad: a models folder with a file missing, the model cut
// short, or another model in its place (the detector, whose output is a
// map, not characters) is refused with a typed error when loading, before
// any page is read; so is a library that is not one.
func TestModelsBad(t *testing.T) {
	src := FindModels(ModelDirs(""))
	if src == "" {
		t.Skip("PP-OCR models not installed (make models)")
	}
	rec, err := os.ReadFile(filepath.Join(src, RecModelFile))
	if err != nil {
		t.Fatal(err)
	}
	det, err := os.ReadFile(filepath.Join(src, "ch_PP-OCRv4_det_infer.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	dict, err := os.ReadFile(filepath.Join(src, DictFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		rec, dict []byte
		lib       []byte
		code      string
	}{
		{"no model", nil, dict, nil, shenbao.ENOTINSTALLED},
		{"no dictionary", rec, nil, nil, shenbao.ENOTINSTALLED},
		{"truncated", rec[:len(rec)/2], dict, nil, shenbao.EINVALID},
		{"truncated in its header", rec[:40], dict, nil, shenbao.EINVALID},
		{"random bytes", randomBytes(len(rec) / 8), dict, nil, shenbao.EINVALID},
		{"empty", []byte{}, dict, nil, shenbao.EINVALID},
		{"detector for recogniser", det, dict, nil, shenbao.EINVALID},
		{"dictionary of another size", rec, dict[:len(dict)/2], nil, shenbao.EINVALID},
		{"text as library", rec, dict, []byte("not a library"), shenbao.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.rec != nil {
				os.WriteFile(filepath.Join(dir, RecModelFile), c.rec, 0o644)
			}
			if c.dict != nil {
				os.WriteFile(filepath.Join(dir, DictFile), c.dict, 0o644)
			}
			if c.lib != nil {
				os.WriteFile(filepath.Join(dir, RuntimeLib), c.lib, 0o644)
			}
			m, err := LoadModels(dir)
			if err == nil {
				// Only the runtime can tell some damage.
				var p *PPOCR
				if p, err = NewPPOCR(m, PPOCROptions{}); err == nil {
					p.Close()
				}
			}
			if got := shenbao.ErrorCode(err); got != c.code {
				t.Fatalf("code %q (%v), want %q", got, err, c.code)
			}
			if msg := shenbao.ErrorMessage(err); !containsHan(msg) || !containsASCIIWord(msg) {
				t.Errorf("message not bilingual: %s", msg)
			}
		})
	}
}

// randomBytes is n bytes of a fixed pseudo-random sequence: a file of
// noise in a model's place.
func randomBytes(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestProbe: the installed models load and run in a child process; what
// the files alone do not betray — a model of the right declared shape
// that the runtime refuses, a shared library that is not ONNX Runtime —
// and what they do (a truncated model) are typed, bilingual errors from
// the probe, as the service meets them at start-up.
func TestProbe(t *testing.T) {
	src := FindModels(ModelDirs(""))
	if src == "" {
		t.Skip("PP-OCR models not installed (make models)")
	}
	if err := Probe(context.Background(), src); err != nil {
		t.Fatalf("installed models: %v", err)
	}
	rec, err := os.ReadFile(filepath.Join(src, RecModelFile))
	if err != nil {
		t.Fatal(err)
	}
	dict, err := os.ReadFile(filepath.Join(src, DictFile))
	if err != nil {
		t.Fatal(err)
	}
	classes, err := parseDict(dict)
	if err != nil {
		t.Fatal(err)
	}
	// An ELF shared library that is not ONNX Runtime: the C library's
	// maths, present on every glibc system.
	libm, _ := os.ReadFile("/lib/x86_64-linux-gnu/libm.so.6")
	for _, c := range []struct {
		name     string
		rec, lib []byte
		codes    []string
	}{
		// Declares [N,3,48,W] → [N,T,classes] but computes nothing.
		{"hollow model", onnxModel([]int64{0, 3, 48, 0}, []int64{0, 0, int64(len(classes))}), nil, []string{shenbao.EINVALID}},
		{"truncated", rec[:len(rec)*3/4], nil, []string{shenbao.EINVALID}},
		{"another library", rec, libm, []string{shenbao.EINVALID, shenbao.ENOTINSTALLED}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.lib == nil && c.name == "another library" {
				t.Skip("no libm.so.6 here")
			}
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, RecModelFile), c.rec, 0o644)
			os.WriteFile(filepath.Join(dir, DictFile), dict, 0o644)
			if c.lib != nil {
				os.WriteFile(filepath.Join(dir, RuntimeLib), c.lib, 0o755)
			}
			err := Probe(context.Background(), dir)
			t.Log(err)
			if got := shenbao.ErrorCode(err); !slices.Contains(c.codes, got) {
				t.Fatalf("code %q (%v), want one of %q", got, err, c.codes)
			}
			if msg := shenbao.ErrorMessage(err); !containsHan(msg) || !containsASCIIWord(msg) {
				t.Errorf("message not bilingual: %s", msg)
			}
		})
	}
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func containsASCIIWord(s string) bool {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			n++
		}
	}
	return n > 10
}

func BenchmarkPPOCRCell(b *testing.B) {
	p := testPPOCR(b)
	g := loadGray(b, "rows.png")
	for b.Loop() {
		if _, err := p.Read(context.Background(), g, []image.Rectangle{cells[1].rect}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPPOCRRun runs the model alone on batches of input lines of
// each width, unfolded (as installed), as NewPPOCR folds it (fold.go) and
// as it quantises that where it has the model's ranges (quant.go), and
// reports its CPU time per column read (the process's: on a loaded
// machine wall time means little): what the batch plan and the packing of
// short lines are chosen by.
//
//	go test ./extract/ocr -run '^$' -bench PPOCRRun
func BenchmarkPPOCRRun(b *testing.B) {
	m := testModels(b)
	folded, _, err := foldRecGraph(m.Rec)
	if err != nil {
		b.Fatal(err)
	}
	rt, err := openRuntime(m.Lib)
	if err != nil {
		b.Fatal(err)
	}
	defer rt.close()
	graphs := []struct {
		name  string
		model []byte
	}{{"unfolded", m.Rec}, {"folded", folded}}
	if ranges, ok := embeddedRanges(m.Rec); ok {
		q, _, err := quantRecGraph(folded, ranges)
		if err != nil {
			b.Fatal(err)
		}
		graphs = append(graphs, struct {
			name  string
			model []byte
		}{"int8", q})
	}
	for _, g := range graphs {
		s, err := rt.newSession(g.model, 1)
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{1, 4, 8} {
			for _, w := range []int{320, 640} {
				b.Run(fmt.Sprintf("graph=%s/lines=%d/width=%d", g.name, n, w), func(b *testing.B) {
					data := make([]float32, n*3*recHeight*w)
					for i := range data {
						data[i] = float32(i%7)/3 - 1
					}
					cpu0 := cpuTime()
					for b.Loop() {
						if _, _, err := s.run(data, []int64{int64(n), 3, recHeight, int64(w)}); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*n*w), "cpu-µs/column")
				})
			}
		}
		s.close()
	}
}

// cpuTime is the process's CPU time, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestProbeKept: a passed probe is remembered for the same files and not
// run again; a file changed after it (here the model truncated) is probed
// again and fails as Probe does; a failed probe leaves no mark.
func TestProbeKept(t *testing.T) {
	src := FindModels(ModelDirs(""))
	if src == "" {
		t.Skip("PP-OCR models not installed (make models)")
	}
	lib, err := findRuntime(src)
	if err != nil {
		t.Fatal(err)
	}
	dir, keep := t.TempDir(), t.TempDir()
	for _, f := range []string{RecModelFile, DictFile} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	b, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, RuntimeLib), b, 0o755)
	marks := func() []string {
		m, _ := filepath.Glob(filepath.Join(keep, "ppocr-probe-*"))
		return m
	}
	if err := ProbeKept(context.Background(), dir, "", keep); err != nil {
		t.Fatalf("first probe: %v", err)
	}
	if len(marks()) != 1 {
		t.Fatalf("marks after a passed probe: %q, want one", marks())
	}
	// The mark stands for these files: a cancelled context would fail a
	// probe that ran.
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ProbeKept(cancelled, dir, "", keep); err != nil {
		t.Fatalf("probe run again for the same files: %v", err)
	}
	rec, _ := os.ReadFile(filepath.Join(dir, RecModelFile))
	os.WriteFile(filepath.Join(dir, RecModelFile), rec[:len(rec)*3/4], 0o644)
	err = ProbeKept(context.Background(), dir, "", keep)
	if shenbao.ErrorCode(err) != shenbao.EINVALID {
		t.Fatalf("truncated model after a passed probe: %v, want %s", err, shenbao.EINVALID)
	}
	if len(marks()) != 1 {
		t.Errorf("marks after a failed probe: %q, want the first one only", marks())
	}
}
