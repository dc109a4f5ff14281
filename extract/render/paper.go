package render

import (
	"fmt"
	"math"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/filetype"
)

// Paper is a page as the sheet of paper it shows. A scanned page is an
// image, and the image's pixels are what there is to read: the page size
// the file declares is only the scanner's (or a converter's) claim of the
// image's resolution, and often a wrong one — a 300-dpi scan declared at
// 96 dpi is a page of 1861×2631 pt, one declared at 72 dpi 2481×3508 pt.
// Paper tells the sheet from the claim.
type Paper struct {
	// Scan: images cover the page (a scanned page, or an image file's).
	Scan bool `json:"scan,omitempty"`
	// ImageW, ImageH: pixels of the page's largest image, W across the
	// page as shown; 0 when the page draws none.
	ImageW int `json:"image_w,omitempty"`
	ImageH int `json:"image_h,omitempty"`
	// DPI is the resolution of a scanned page's image over the sheet it
	// was scanned from; 0 when not Scan.
	DPI float64 `json:"dpi,omitempty"`
	// Gray: a scanned page whose images are all gray or bitonal, which
	// is rendered in gray: in colour it is the same pixels four times.
	Gray bool `json:"gray,omitempty"`
	// Scale is the page's declared points per point of the sheet: 1
	// unless the declared size is no sheet's (then the sheet is taken to
	// be A4 or Letter, by the image's proportions).
	Scale float64 `json:"scale"`
}

// Sheets a scan is read as when its declared size is no paper's:
// applications are printed on A4, in some offices on Letter.
const (
	a4Long, a4Short         = 841.89, 595.28 // points: 297×210 mm
	letterLong, letterShort = 792.0, 612.0
)

// A declared page is taken as the sheet it claims when its longer side is
// between these, in points: from B5 (JIS 257 mm, some offices' 16开) to A3
// with margins. Smaller or larger claims are resolution errors: a 200-dpi
// scan declared at 300 dpi claims 5.5×7.8 in, one declared at 96 dpi
// 17×24 in.
const (
	minSheetLong = 700.0
	maxSheetLong = 1260.0
)

// coverScan is the share of a page that images must cover for it to be a
// scanned page: scanners place one image over the whole page (or strips
// that tile it), a digital page's images are logos and seals. A page
// that also draws visible text or paths is digital whatever its images
// (a form over a background picture).
const coverScan = 0.85

// MinScanDPI is the coarsest scan read: below it the form's 10.5 pt body
// text is under ten pixels tall and reads as noise; an image PDF whose
// image is a few pixels is refused instead of read as a blank form.
const MinScanDPI = 60

// placed is what a page draws as images (see sb_images).
type placed struct {
	// vector counts the visible paths and texts the page draws: a page
	// that draws them is digital, its declared size its real one, even
	// over a background image.
	vector int
	n      int
	// colour counts the images that may hold colour (see sb_images).
	colour int
	area   float64
	// w, h: pixels of the largest image, w across the page as drawn.
	w, h int
	// box: where it lies, in points from the page's top-left.
	box [4]float64
}

// paperOf tells the sheet of a page of size w×h pt that draws im.
func paperOf(w, h float64, im placed) Paper {
	p := Paper{Scale: 1, ImageW: im.w, ImageH: im.h}
	bw, bh := im.box[2]-im.box[0], im.box[3]-im.box[1]
	if im.n == 0 || im.vector > 0 || !(w > 0 && h > 0 && bw > 0 && bh > 0) || im.area < coverScan*w*h {
		return p
	}
	p.Scan = true
	p.Gray = im.colour == 0
	// The image's resolution over its place on the page as declared; a
	// fax's 204×98 dpi is read at its finer one.
	declared := max(float64(im.w)/bw, float64(im.h)/bh) * 72
	long, short := max(w, h), min(w, h)
	if long < minSheetLong || long > maxSheetLong {
		sheet := a4Long
		if math.Abs(long/short-letterLong/letterShort) < math.Abs(long/short-a4Long/a4Short) {
			sheet = letterLong
		}
		p.Scale = long / sheet
	}
	p.DPI = centi(declared * p.Scale)
	return p
}

// check refuses a page whose image is too large at its own pixels
// (whatever size the page declares), and a scanned page too coarse to
// read.
func (p Paper) check(page int, lim filetype.Limits) error {
	if p.ImageW > 0 && p.ImageH > 0 {
		if err := lim.Check(page, filetype.Size{W: p.ImageW, H: p.ImageH}); err != nil {
			return err
		}
	}
	if p.Scan && p.DPI < MinScanDPI {
		return shenbao.Errorf(shenbao.EINVALID, "第 %d 页是扫描图像，但只有 %d×%d 像素（约 %.0f dpi），无法识别；请以 200–300 dpi 重新扫描后再上传。/ Page %d is a scanned image of only %d×%d pixels (about %.0f dpi), too coarse to read; scan it again at 200–300 dpi and upload that.",
			page, p.ImageW, p.ImageH, p.DPI, page, p.ImageW, p.ImageH, p.DPI)
	}
	return nil
}

// renderDPI is the dpi over the page as declared that renders it at dpi
// over its sheet.
func (p Paper) renderDPI(dpi float64) float64 {
	if p.Scale <= 0 {
		return dpi
	}
	return dpi / p.Scale
}

func (p Paper) String() string {
	if !p.Scan {
		return "not a scan"
	}
	gray := ""
	if p.Gray {
		gray = ", gray"
	}
	return fmt.Sprintf("scan %d×%d px at %.0f dpi, scale %.3g%s", p.ImageW, p.ImageH, p.DPI, p.Scale, gray)
}

// centi rounds MuPDF's float32 sizes to 0.01 pt, so that 595.44 is not
// reported as 595.4400024414062.
func centi(v float64) float64 { return math.Round(v*100) / 100 }
