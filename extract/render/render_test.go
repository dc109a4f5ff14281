//go:build cgo

package render_test

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"context"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/render"
)

// pdfPage is one page of a PDF built by makePDF.
type pdfPage struct {
	w, h    float64
	content string // the content stream, in PDF's bottom-left coordinates
	dict    string // more entries of the page dictionary, e.g. /Annots
}

// makePDF writes a PDF with a correct xref table. Every page may use the
// font /F1 (Helvetica) and, when extra objects are given, the first of
// them as the image /Im1.
func makePDF(pages []pdfPage, extra ...string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	xobj := ""
	if len(extra) > 0 {
		xobj = fmt.Sprintf("/XObject << /Im1 %d 0 R >>", 4+2*len(pages))
	}
	for i, p := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> %s >> %s >>",
			p.w, p.h, 5+2*i, xobj, p.dict))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(p.content)+1, p.content))
	}
	for _, e := range extra {
		obj(e)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// inkPage has, in top-left points: a 1 pt stroked square at (20,20)-(60,60),
// a filled square at (100,20)-(140,60) and the word Hello near the bottom.
var inkPage = pdfPage{w: 200, h: 200, content: "0 0 0 RG 0 0 0 rg 1 w 20 140 40 40 re S 100 140 40 40 re f BT /F1 12 Tf 20 20 Td (Hello) Tj ET"}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInfo(t *testing.T) {
	ctx := context.Background()
	scan := readTestdata(t, "scan2.pdf")
	info, err := render.Info(ctx, scan)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Pages) != 2 {
		t.Fatalf("pages = %d, want 2", len(info.Pages))
	}
	// A4 as img2pdf wrote it at 200 dpi in colour and at 300 dpi in gray.
	for i, want := range []render.PageInfo{
		{PageSize: shenbao.PageSize{Width: 595.44, Height: 842.04}, Paper: render.Paper{Scan: true, ImageW: 1654, ImageH: 2339, DPI: 200, Scale: 1}},
		{PageSize: shenbao.PageSize{Width: 595.44, Height: 841.92}, Paper: render.Paper{Scan: true, Gray: true, ImageW: 2481, ImageH: 3508, DPI: 300, Scale: 1}},
	} {
		if p := info.Pages[i]; p != want {
			t.Errorf("page %d = %+v, want %+v", i+1, p, want)
		}
	}
	info, err = render.Info(ctx, makePDF([]pdfPage{inkPage, {w: 300, h: 100}}))
	if err != nil {
		t.Fatal(err)
	}
	want := []render.PageInfo{
		{PageSize: shenbao.PageSize{Width: 200, Height: 200}, Chars: 5, Paper: render.Paper{Scale: 1}},
		{PageSize: shenbao.PageSize{Width: 300, Height: 100}, Chars: 0, Paper: render.Paper{Scale: 1}},
	}
	if fmt.Sprint(info.Pages) != fmt.Sprint(want) {
		t.Errorf("info = %+v, want %+v", info.Pages, want)
	}
}

func TestPage(t *testing.T) {
	ctx := context.Background()
	d, err := render.Options{}.Open(readTestdata(t, "scan2.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tt := range []struct {
		page     int
		dpi      float64
		wPt, hPt float64 // the scan's MediaBox
	}{{1, 100, 595.44, 842.04}, {2, 150, 595.44, 841.92}, {1, 200, 595.44, 842.04}} {
		t.Run(fmt.Sprintf("page%d@%gdpi", tt.page, tt.dpi), func(t *testing.T) {
			wantW, wantH := tt.wPt*tt.dpi/72, tt.hPt*tt.dpi/72
			sizeOK := func(w, h int) bool {
				return math.Abs(float64(w)-wantW) <= 1 && math.Abs(float64(h)-wantH) <= 1
			}
			rgba, err := d.Page(ctx, tt.page, tt.dpi)
			if err != nil {
				t.Fatal(err)
			}
			if b := rgba.Bounds(); !sizeOK(b.Dx(), b.Dy()) || b.Min.X != 0 || b.Min.Y != 0 {
				t.Errorf("RGBA bounds %v, want about %.0f×%.0f from the origin", b, wantW, wantH)
			}
			gray, err := d.PageGray(ctx, tt.page, tt.dpi)
			if err != nil {
				t.Fatal(err)
			}
			if gray.Bounds() != rgba.Bounds() {
				t.Errorf("gray bounds %v, RGBA %v", gray.Bounds(), rgba.Bounds())
			}
			// A filled form: mostly paper, with a few percent of ink.
			dark := 0
			for _, v := range gray.Pix {
				if v < 128 {
					dark++
				}
			}
			if f := float64(dark) / float64(len(gray.Pix)); f < 0.005 || f > 0.3 {
				t.Errorf("dark fraction %.4f: not a rendered form page", f)
			}
			pngBytes, err := d.PagePNG(ctx, tt.page, tt.dpi)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(pngBytes))
			if err != nil {
				t.Fatal(err)
			}
			if !sizeOK(cfg.Width, cfg.Height) {
				t.Errorf("PNG %d×%d, want about %.0f×%.0f", cfg.Width, cfg.Height, wantW, wantH)
			}
		})
	}
}

func TestPagesBatch(t *testing.T) {
	ctx := context.Background()
	d, err := render.Options{}.Open(readTestdata(t, "scan2.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	grays, err := d.PagesGray(ctx, []int{2, 1, 2}, 60)
	if err != nil {
		t.Fatal(err)
	}
	rgbas, err := d.Pages(ctx, []int{1, 2}, 60)
	if err != nil {
		t.Fatal(err)
	}
	if len(grays) != 3 || len(rgbas) != 2 {
		t.Fatalf("%d gray and %d RGBA images", len(grays), len(rgbas))
	}
	for i, p := range []int{2, 1, 2} {
		one, err := d.PageGray(ctx, p, 60)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(one.Pix, grays[i].Pix) || one.Rect != grays[i].Rect {
			t.Errorf("batch image %d differs from page %d rendered alone", i, p)
		}
	}
	if one, err := d.Page(ctx, 2, 60); err != nil || !bytes.Equal(one.Pix, rgbas[1].Pix) {
		t.Errorf("batch RGBA page 2 differs from page 2 rendered alone (%v)", err)
	}
	if _, err := d.PagesGray(ctx, []int{1, 3}, 60); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
		t.Errorf("batch with page 3 of 2: %v, want %s", err, shenbao.ENOTFOUND)
	}
}

func TestInk(t *testing.T) {
	pdf := makePDF([]pdfPage{inkPage})
	boxes := []shenbao.Box{
		{100, 20, 140, 60},   // filled square
		{20, 20, 60, 60},     // stroked square: outline only
		{20, 100, 60, 140},   // nothing drawn
		{102, 22, 138, 58},   // inside the filled square
		{22, 22, 58, 58},     // inside the outline
		{180, 180, 260, 260}, // three quarters off the page
	}
	for _, dpi := range []float64{72, 150, 300} {
		fr, err := render.Ink(context.Background(), pdf, 1, boxes, dpi)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ lo, hi float64 }{{0.95, 1}, {0.04, 0.2}, {0, 0}, {1, 1}, {0, 0}, {0, 0}}
		for i, w := range want {
			if fr[i] < w.lo || fr[i] > w.hi {
				t.Errorf("%g dpi box %v: ink %.3f, want in [%g, %g]", dpi, boxes[i], fr[i], w.lo, w.hi)
			}
		}
	}
}

// A tick that exists only as a form field (a checkbox widget switched on)
// is drawn from its appearance stream; rendering page contents alone, as
// go-fitz does, would miss it.
func TestInkSeesFormFieldTicks(t *testing.T) {
	page := pdfPage{w: 200, h: 200, content: "0 G 1 w 20 160 20 20 re S 60 160 20 20 re S", dict: "/Annots [7 0 R 8 0 R]"}
	on := "<< /Type /Annot /Subtype /Widget /FT /Btn /T (on) /Rect [20 160 40 180] /F 4 /AS /On /V /On /AP << /N << /On 9 0 R >> >> >>"
	off := "<< /Type /Annot /Subtype /Widget /FT /Btn /T (off) /Rect [60 160 80 180] /F 4 /AS /Off /V /Off /AP << /N << /On 9 0 R >> >> >>"
	mark := "<< /Type /XObject /Subtype /Form /BBox [0 0 20 20] /Length 20 >>\nstream\n0 g 4 4 12 12 re f\nendstream"
	pdf := makePDF([]pdfPage{page}, "<< >>", on, off, mark) // objects 6 (unused /Im1), 7, 8, 9
	// Inside the drawn outlines, top-left points: (22,22)-(38,38) and (62,22)-(78,38).
	fr, err := render.Ink(context.Background(), pdf, 1, []shenbao.Box{{22, 22, 38, 38}, {62, 22, 78, 38}}, 144)
	if err != nil {
		t.Fatal(err)
	}
	if fr[0] < 0.4 || fr[1] > 0.01 {
		t.Errorf("ink on/off = %.3f/%.3f, want the ticked box inked and the other blank", fr[0], fr[1])
	}
}

func TestInkRejectsEmptyBox(t *testing.T) {
	_, err := render.Ink(context.Background(), makePDF([]pdfPage{inkPage}), 1, []shenbao.Box{{10, 10, 10, 20}}, 72)
	if shenbao.ErrorCode(err) != shenbao.EINVALID {
		t.Fatalf("err = %v, want %s", err, shenbao.EINVALID)
	}
}

func TestOwnerPasswordOnlyOpens(t *testing.T) {
	fr, err := render.Ink(context.Background(), readTestdata(t, "owner_only.pdf"), 1, []shenbao.Box{{60, 60, 140, 140}}, 72)
	if err != nil {
		t.Fatal(err)
	}
	if fr[0] < 0.99 {
		t.Errorf("ink %.3f in the filled square", fr[0])
	}
}

// imageBomb is a page drawing a 16000×16000 gray image whose Flate stream
// is a few hundred KB: decoding it needs 256 MB.
func imageBomb(t testing.TB) []byte {
	t.Helper()
	const side = 16000
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	row := make([]byte, side)
	for range side {
		zw.Write(row)
	}
	zw.Close()
	img := fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream",
		side, side, z.Len(), z.String())
	return makePDF([]pdfPage{{w: 200, h: 200, content: "q 200 0 0 200 0 0 cm /Im1 Do Q"}}, img)
}

func TestHostile(t *testing.T) {
	scan := readTestdata(t, "scan2.pdf")
	good := makePDF([]pdfPage{inkPage, inkPage})
	many := make([]pdfPage, 5000)
	for i := range many {
		many[i] = pdfPage{w: 595, h: 842, content: "BT /F1 12 Tf 72 72 Td (page) Tj ET"}
	}
	// A corrupt xref: every offset points at the wrong place.
	i := bytes.LastIndex(good, []byte("xref\n"))
	corruptXref := append([]byte{}, good...)
	copy(corruptXref[i:], bytes.ReplaceAll(corruptXref[i:], []byte("0000000"), []byte("0000999")))

	tests := []struct {
		name string
		pdf  []byte
		opt  render.Options
		want []string // acceptable codes; "" means it renders
		dpi  float64  // of page 1; 0 means 72
	}{
		{"empty file", nil, render.Options{}, []string{shenbao.EINVALID}, 0},
		{"text file named .pdf", []byte("这不是PDF / this is not a PDF\n"), render.Options{}, []string{shenbao.EUNSUPPORTED}, 0},
		{"header only", []byte("%PDF-1.7\n"), render.Options{}, []string{shenbao.EINVALID}, 0},
		{"header and garbage", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 4096)...), render.Options{}, []string{shenbao.EINVALID}, 0},
		// MuPDF repairs what it can: a cut scan may still show its first
		// page, a wrong xref is rebuilt by scanning the objects.
		{"truncated at 60%", scan[:len(scan)*6/10], render.Options{}, []string{"", shenbao.EINVALID}, 0},
		{"truncated at 5%", scan[:len(scan)/20], render.Options{}, []string{"", shenbao.EINVALID}, 0},
		{"corrupt xref", corruptXref, render.Options{}, []string{""}, 0},
		{"encrypted", readTestdata(t, "encrypted.pdf"), render.Options{}, []string{shenbao.EENCRYPTED}, 0},
		{"5000 pages", makePDF(many), render.Options{}, []string{shenbao.ETOOLARGE}, 0},
		{"20000×20000 pt page", makePDF([]pdfPage{{w: 20000, h: 20000}}), render.Options{}, []string{shenbao.ETOOLARGE}, 0},
		// The page image (2 MB at 150 dpi) fits, MuPDF's decoding of the
		// scan's JPEG (11 MB) does not: a memory error, not a damaged page;
		// or the Go heap's growth hits the limit first and the child dies.
		{"scan under an 8 MB memory limit", scan, render.Options{Memory: 8 << 20}, []string{shenbao.ETOOLARGE, shenbao.ECRASHED}, 150},
		// The page image itself (A4 at 1200 dpi, 139 MB gray) is over half
		// the limit: refused before anything is allocated. The limit is
		// large enough for the child's own start: under a few tens of MB,
		// the Go runtime reserving its next heap arena (64 MB of address
		// space) now and then kills it before it reads anything.
		{"page image over half the memory limit", scan, render.Options{Memory: 192 << 20, MaxDPI: 1200, MaxPixels: 200e6}, []string{shenbao.ETOOLARGE}, 1200},
		{"slower than the timeout", scan, render.Options{Timeout: 5 * time.Millisecond}, []string{shenbao.ETIMEOUT}, 0},
		{"over the file size limit", good, render.Options{MaxBytes: 100}, []string{shenbao.ETOOLARGE}, 0},
		// MuPDF subsamples while it decodes, so a huge image drawn small
		// renders within a memory limit below its decoded size.
		{"image bomb under a memory limit", imageBomb(t), render.Options{Memory: 256 << 20}, []string{""}, 0},
		// With the pixel cap lifted, the page's pixmap (200 MB gray)
		// cannot fit the memory limit: refused before allocating.
		{"pixmap past the memory limit", makePDF([]pdfPage{{w: 14400, h: 14400}}), render.Options{MaxPixels: 1e9, Memory: 256 << 20}, []string{shenbao.ETOOLARGE}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.opt.Timeout == 0 {
				tt.opt.Timeout = 20 * time.Second
			}
			start := time.Now()
			d, err := tt.opt.Open(tt.pdf)
			if err == nil {
				defer d.Close()
				var info render.DocInfo
				info, err = d.Info(ctx)
				if err == nil && len(info.Pages) > 0 {
					_, err = d.PageGray(ctx, 1, cmp.Or(tt.dpi, 72))
				}
			}
			code := shenbao.ErrorCode(err)
			t.Logf("%v", err)
			if !contains(tt.want, code) {
				t.Fatalf("code %q (err %v), want one of %q", code, err, tt.want)
			}
			if err != nil && !strings.Contains(shenbao.ErrorMessage(err), "/ ") {
				t.Errorf("message not bilingual: %q", shenbao.ErrorMessage(err))
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestOpenFile(t *testing.T) {
	wd, _ := os.Getwd()
	d, err := render.Options{}.OpenFile("testdata/scan2.pdf")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // the child must not depend on the working directory
	info, err := d.Info(context.Background())
	if err != nil || len(info.Pages) != 2 {
		t.Fatalf("info %+v, %v", info, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Path()); err != nil {
		t.Fatalf("Close removed the caller's file: %v", err)
	}
	if _, err := (render.Options{}).OpenFile(filepath.Join(wd, "testdata/README")); shenbao.ErrorCode(err) != shenbao.EUNSUPPORTED {
		t.Errorf("README as PDF: %v, want %s", err, shenbao.EUNSUPPORTED)
	}
}

// A file that vanished between the parent's check and the child is the
// service's fault, not the document's.
func TestVanishedFile(t *testing.T) {
	d, err := render.Options{}.Open(makePDF([]pdfPage{inkPage}))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(d.Path())
	_, err = d.Info(context.Background())
	if shenbao.ErrorCode(err) != shenbao.EINTERNAL || !strings.Contains(err.Error(), "No such file") {
		t.Fatalf("err = %v, want %s about the missing file", err, shenbao.EINTERNAL)
	}
}

func TestBadArguments(t *testing.T) {
	d, err := render.Options{MaxDPI: 400}.Open(makePDF([]pdfPage{inkPage}))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	for _, tt := range []struct {
		page int
		dpi  float64
		want string
	}{
		{0, 72, shenbao.ENOTFOUND},
		{2, 72, shenbao.ENOTFOUND},
		{1, 401, shenbao.ETOOLARGE},
		{1, 0, shenbao.ETOOLARGE},
		{1, math.NaN(), shenbao.ETOOLARGE},
	} {
		_, err := d.PageGray(ctx, tt.page, tt.dpi)
		if got := shenbao.ErrorCode(err); got != tt.want {
			t.Errorf("page %d at %g dpi: %v, want %s", tt.page, tt.dpi, err, tt.want)
		}
	}
}
