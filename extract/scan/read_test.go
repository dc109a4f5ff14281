//go:build cgo

package scan

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/roughen"
)

var (
	engineOnce sync.Once
	engine     *ocr.Engine
	engineErr  error
)

func testEngine(t *testing.T) *ocr.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = ocr.New(ocr.Options{}) })
	if engineErr != nil {
		t.Skipf("Tesseract unavailable: %v", engineErr)
	}
	return engine
}

// Degradations of a scanned page, each as a copier or a clerk would
// produce it. They take and return gray or colour images.
func skewed(deg float64) func(image.Image) image.Image {
	return func(img image.Image) image.Image { return rotate(grayDropColour(img), deg) }
}

func noisy(img image.Image) image.Image   { return roughen.Noise(img, 22) }
func blurred(img image.Image) image.Image { return roughen.Blur(img) }
func jpegged(img image.Image) image.Image { return roughen.JPEG(img, 30) }

func scaled(f float64) func(image.Image) image.Image {
	return func(img image.Image) image.Image { return resize(grayDropColour(img), f) }
}

func turned(q int) func(image.Image) image.Image {
	return func(img image.Image) image.Image { return rotate90(grayDropColour(img), q) }
}

// framed draws the black frame a copier leaves along the sheet's edges.
func framed(img image.Image) image.Image {
	g := grayDropColour(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x < 6 || y < 6 || x >= w-6 || y >= h-6 {
				g.Pix[y*g.Stride+x] = 0
			}
		}
	}
	return g
}

// darkened lets the paper fall to 55 % brightness towards the right edge.
func darkened(img image.Image) image.Image { return roughen.Darken(img, 0.55) }

// sealed stamps a red seal — a thick ring with strokes inside — over the
// value cell of 主导产业所属产业类型 and its option boxes, as a 公章 lands
// on a cell.
func sealed(img image.Image) image.Image {
	out := roughen.Colour(grayDropColour(img))
	b := out.Rect
	// Centre on the type-of-industry row: about 43 % down, 55 % across.
	cx, cy := float64(b.Dx())*0.55, float64(b.Dy())*0.43
	rad := float64(b.Dx()) * 0.1
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			ring := math.Abs(d-rad) < rad*0.06
			star := d < rad*0.7 && (int(float64(x)-cx+float64(y)-cy)%23+23)%23 < 4
			if ring || star {
				c := out.RGBAAt(x, y)
				// Ink under the seal shows through darker, as stamp ink
				// over print does.
				out.SetRGBA(x, y, color.RGBA{uint8(min(255, int(c.R)*0+210)), uint8(int(c.G) * 30 / 255), uint8(int(c.B) * 40 / 255), 255})
			}
		}
	}
	return out
}

type pageWant struct {
	file   string
	dpi    float64
	rows   int
	labels []string // label-column texts that must be read exactly
	ticks  []string // option texts with their glyph, in some value cell
}

var pages = []pageWant{
	{
		file: "cq2024_p3_200dpi_colour.jpg", dpi: 200, rows: 12,
		labels: []string{"主导产业所属产业类型", "联系人", "集群运营管理机构", "集群占地面积(平方公里)"},
		ticks:  []string{"□第一产业", "☑第二产业", "□第三产业", "☑非高耗能行业，不适用", "☑非高用水行业，不适用"},
	},
	{
		file: "nat2024_p3_300dpi_gray.jpg", dpi: 300, rows: 13,
		labels: []string{"主导产业所属产业类型", "联系人", "集群运营管理机构", "集群占地面积(平方公里)"},
		ticks:  []string{"□第一产业", "☑第二产业", "□第三产业", "☑非高耗能行业，不适用", "□非高用水行业，不适用"},
	},
}

// TestReadDegraded reads the two kept pages clean and under each
// degradation and checks the grid (one 13-row table), the label column
// and the option boxes.
func TestReadDegraded(t *testing.T) {
	eng := testEngine(t)
	tests := []struct {
		name    string
		page    int
		degrade func(image.Image) image.Image
		dpi     float64 // 0: the page's own
	}{
		{"clean colour 200dpi", 0, nil, 0},
		{"skew +1.8", 0, skewed(1.8), 0},
		{"skew -2.7", 1, skewed(-2.7), 0},
		{"noise", 0, noisy, 0},
		{"blur", 1, blurred, 0},
		{"jpeg q30", 0, jpegged, 0},
		{"150 dpi", 1, scaled(0.5), 150},
		{"upside down", 0, turned(2), 0},
		{"on its side", 1, turned(1), 0},
		{"red seal over a cell, uneven lighting", 0, func(img image.Image) image.Image { return sealed(darkened(img)) }, 0},
		{"copier's black frame", 1, framed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw := pages[tt.page]
			var img image.Image = loadPage(t, pw.file)
			if tt.degrade != nil {
				img = tt.degrade(img)
			}
			dpi := pw.dpi
			if tt.dpi != 0 {
				dpi = tt.dpi
			}
			c, err := Read(context.Background(), []image.Image{img}, dpi, Options{OCR: eng})
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, c, pw)
		})
	}
}

func checkPage(t *testing.T, c *shenbao.Content, pw pageWant) {
	t.Helper()
	var tb *shenbao.Table
	for _, b := range c.Blocks {
		if b.Table != nil && len(b.Table.Rows) >= 5 {
			if tb != nil {
				t.Fatalf("more than one table")
			}
			tb = b.Table
		}
	}
	if tb == nil {
		t.Fatalf("no table found; blocks: %+v", c.Blocks)
	}
	if len(tb.Rows) != pw.rows {
		t.Errorf("%d rows, want %d", len(tb.Rows), pw.rows)
	}
	// Outside the table the page prints its section's heading only: ink
	// read as lines around it (a frame, noise) would be values' neighbours.
	var paras []string
	for _, b := range c.Blocks {
		if b.Table == nil {
			paras = append(paras, b.Text)
		}
	}
	if !slices.Equal(paras, []string{"一、基本情况"}) {
		t.Errorf("text outside the table %q, want the heading 一、基本情况 only", paras)
	}
	labels := map[string]bool{}
	var values []string
	for _, r := range tb.Rows {
		for _, cell := range r.Cells {
			txt := parens.Replace(cell.Text)
			if cell.Col == 0 {
				labels[txt] = true
			} else {
				values = append(values, txt)
			}
			for _, l := range cell.Lines {
				if l.Confidence < 0 || l.Confidence > 1 {
					t.Errorf("line %q: confidence %v outside [0,1]", l.Text, l.Confidence)
				}
			}
		}
	}
	for _, l := range pw.labels {
		if !labels[parens.Replace(l)] {
			t.Errorf("label %q not read; labels: %v", l, keys(labels))
		}
	}
	all := strings.Join(values, "|")
	for _, tk := range pw.ticks {
		if !strings.Contains(all, tk) {
			t.Errorf("option %q not read; values: %s", tk, all)
		}
	}
}

// parens makes bracket shapes equal — Tesseract reads （ as ( or 〈 at
// random — and drops line breaks and spaces.
var parens = strings.NewReplacer("（", "(", "）", ")", "〈", "(", "〉", ")", "\n", "", " ", "")

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOrientTablePage: a page that is all tables and digits (the
// standards table of section 三, skewed 1°) offers no clean line of body
// text before it is straightened, and digits read about as well upside
// down; it was once turned over. It must stay upright, and be put upright
// when it comes upside down.
func TestOrientTablePage(t *testing.T) {
	eng := testEngine(t)
	img := loadPage(t, "cq2024_p6_200dpi_tables.jpg")
	for _, tt := range []struct {
		name string
		img  image.Image
	}{{"upright", img}, {"upside down", turned(2)(img)}} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Read(context.Background(), []image.Image{tt.img}, 200, Options{OCR: eng})
			if err != nil {
				t.Fatal(err)
			}
			var text []string
			for _, b := range c.Blocks {
				if b.Table == nil {
					text = append(text, b.Text)
				}
			}
			if !slices.ContainsFunc(text, func(s string) bool { return strings.Contains(s, "创新能力情况") }) {
				t.Errorf("heading 三、创新能力情况 not read; text outside tables: %q", text)
			}
		})
	}
}

// TestOrientSmallTablePage: a page holding one small table at its top and
// nothing else (a section's last row carried over) has an ink profile
// that looks like a page on its side, and its sample lines upright are
// the table's rules, which read as nothing; turned a quarter, a rule read
// as a sure "|" once won, and the page's checkboxes were lost.
func TestOrientSmallTablePage(t *testing.T) {
	eng := testEngine(t)
	img := loadPage(t, "gd2023_p10_200dpi_small_table.jpg")
	c, err := Read(context.Background(), []image.Image{img}, 200, Options{OCR: eng})
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Pages[0]; p.Width > p.Height {
		t.Errorf("page read as %.0f×%.0f pt: turned on its side", p.Width, p.Height)
	}
	var tables []string
	for _, b := range c.Blocks {
		if b.Table != nil {
			for _, r := range b.Table.Rows {
				for _, cl := range r.Cells {
					tables = append(tables, cl.Text)
				}
			}
		}
	}
	if !slices.ContainsFunc(tables, func(s string) bool { return strings.Contains(s, "节能诊断与服务") }) {
		t.Errorf("option 节能诊断与服务 not read in a table; cells: %q", tables)
	}
}

// sureReader reads every region as one confident line: the worst case of
// digits, which read about as well upside down as upright.
type sureReader struct{}

func (sureReader) Page(_ context.Context, _ *image.Gray, regions []ocr.Region) ([]ocr.Result, error) {
	out := make([]ocr.Result, len(regions))
	for i, r := range regions {
		out[i] = ocr.Result{Lines: []ocr.TextLine{{Text: "集群 2021", Rect: r.Rect, Conf: 0.9}}}
	}
	return out, nil
}

// TestOrientNeedsEvidence: when every reading is confident, nothing says
// the page is upside down, and it is not turned over. (The orientation
// test once looked for sample lines on the unstraightened page, found
// none upright and some upside down, and turned this page.)
func TestOrientNeedsEvidence(t *testing.T) {
	img := loadPage(t, "cq2024_p6_200dpi_tables.jpg")
	c, err := Read(context.Background(), []image.Image{img}, 200, Options{OCR: sureReader{}})
	if err != nil {
		t.Fatal(err)
	}
	// Upright, the heading 三、创新能力情况 is above the tables and the
	// narrow page number below; turned over, the other way round.
	var heading, table *shenbao.Box
	for _, b := range c.Blocks {
		switch {
		case b.BBox == nil:
		case b.Table != nil:
			if table == nil {
				table = b.BBox
			}
		case heading == nil || b.BBox[2]-b.BBox[0] > heading[2]-heading[0]:
			heading = b.BBox
		}
	}
	if heading == nil || table == nil {
		t.Fatalf("want a heading and a table; blocks: %+v", c.Blocks)
	}
	if heading[1] > table[1] {
		t.Errorf("the widest text line (%v) is below the table (%v): the page was turned over", *heading, *table)
	}
}

// countingReader counts the calls to Page of the reader it wraps.
type countingReader struct {
	Recognizer
	calls atomic.Int32
}

func (c *countingReader) Page(ctx context.Context, img *image.Gray, regions []ocr.Region) ([]ocr.Result, error) {
	c.calls.Add(1)
	return c.Recognizer.Page(ctx, img, regions)
}

// TestUprightPageReadOnce: a page that reads clearly as it lies is read
// once and read again only where a second reading helps; the orientation
// test's own reading (one more call) is spent only on pages that do not
// read clearly. Turned pages are covered by TestReadDegraded.
func TestUprightPageReadOnce(t *testing.T) {
	rec := &countingReader{Recognizer: testEngine(t)}
	pw := pages[0]
	c, err := Read(context.Background(), []image.Image{loadPage(t, pw.file)}, pw.dpi, Options{OCR: rec})
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, c, pw)
	if n := rec.calls.Load(); n > 2 {
		t.Errorf("%d reading passes over an upright page, want the reading and the second readings only", n)
	}
}

// TestReadPagesSupplyError: a page that cannot be supplied (MuPDF fails
// to render it) fails the document with that page's error, and no page
// after it is asked for.
func TestReadPagesSupplyError(t *testing.T) {
	img := loadPage(t, "cq2024_p6_200dpi_tables.jpg")
	broken := errors.New("render page 2: broken stream")
	var asked []int
	_, err := ReadPages(context.Background(), 4, func(i int) (image.Image, error) {
		asked = append(asked, i)
		if i == 1 {
			return nil, broken
		}
		return img, nil
	}, 200, Options{OCR: sureReader{}})
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the render error", err)
	}
	if !slices.Equal(asked, []int{0, 1}) {
		t.Errorf("pages asked for: %v, want 0 then 1", asked)
	}
}
