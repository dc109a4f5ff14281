//go:build cgo

package ocr

import (
	"context"
	"fmt"
	"image"
	"math"
	"runtime"
	"sync"

	"github.com/otiai10/gosseract/v2"
	"github.com/shenbao/shenbao"
)

// Engine is a pool of Tesseract clients. Models are loaded once per client
// and the clients are reused for every region of every page: creating a
// client costs about as much as reading a page of cells. A gosseract client
// is not safe for concurrent use, so each region takes one from the pool.
// Digits regions take theirs from a second pool holding the digit model;
// slots bounds the reads running at once across both.
type Engine struct {
	pool, digits chan *client
	slots        chan struct{}
	all          []*client
	once         sync.Once
}

type client struct {
	c    *gosseract.Client
	mode Mode
	psm  gosseract.PageSegMode
	buf  []byte
}

// New loads the models into opts.Clients clients, and as many for digits.
// Clients load in parallel: each reads its model files and initialises on
// its own.
func New(opts Options) (*Engine, error) {
	n := opts.Clients
	if n <= 0 {
		n = runtime.NumCPU()
	}
	main := make([]*client, n)
	digits := make([]*client, n)
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := 0; i < 2*n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i < n {
				main[i], errs[i] = newClient(opts, opts.languages())
			} else {
				digits[i-n], errs[i] = newClient(opts, opts.digitLanguages())
			}
		}()
	}
	wg.Wait()
	e := &Engine{pool: make(chan *client, n), slots: make(chan struct{}, n)}
	for _, cl := range append(main, digits...) {
		if cl != nil {
			e.all = append(e.all, cl)
		}
	}
	for i, err := range errs[:n] {
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("ocr client %d: %w", i, err)
		}
	}
	for _, cl := range main {
		e.pool <- cl
	}
	e.digits = make(chan *client, n)
	for _, cl := range digits {
		if cl == nil {
			// Without the digit model, digits are read by the main one.
			e.digits = e.pool
			break
		}
		e.digits <- cl
	}
	return e, nil
}

func newClient(opts Options, langs []string) (*client, error) {
	c := gosseract.NewClient()
	fail := func(err error) (*client, error) {
		c.Close()
		return nil, err
	}
	if opts.TessdataPrefix != "" {
		if err := c.SetTessdataPrefix(opts.TessdataPrefix); err != nil {
			return fail(err)
		}
	}
	if err := c.SetLanguage(langs...); err != nil {
		return fail(err)
	}
	// Without it Tesseract separates every Chinese character by a
	// space, which corrupts character counts and word-limit checks.
	if err := c.SetVariable("preserve_interword_spaces", "1"); err != nil {
		return fail(err)
	}
	if err := c.SetVariable("hocr_char_boxes", "1"); err != nil {
		return fail(err)
	}
	// Tesseract reads a line it is unsure of a second time, inverted, in
	// case it is light print on dark: the forms print none, and a 150-dpi
	// copy's lines are often unsure, so that second reading cost about 5 %
	// of Tesseract's time on one and changed no value read.
	if err := c.SetVariable("tessedit_do_invert", "0"); err != nil {
		return fail(err)
	}
	cl := &client{c: c, mode: -1}
	// Initialise now, on a blank image, so that a missing language
	// pack fails here with a clear message rather than mid-document.
	if _, err := cl.read(image.NewGray(image.Rect(0, 0, 8, 8)), Region{Rect: image.Rect(0, 0, 8, 8), Mode: Line}); err != nil {
		return fail(shenbao.Wrap(shenbao.ENOTINSTALLED, err, "%s",
			fmt.Sprintf("Tesseract 或其语言包 %v 未安装：请执行 apt-get install tesseract-ocr-chi-sim tesseract-ocr-eng / Tesseract or its language data %v is missing: run apt-get install tesseract-ocr-chi-sim tesseract-ocr-eng", langs, langs)))
	}
	// Init, done by that first read, put back the default page
	// segmentation mode over the one set before it: a fresh client read
	// Line regions as blocks until its mode first changed, so how a region
	// was read depended on what its client had read before. The mode is
	// set again at the next read.
	cl.mode = -1
	return cl, nil
}

// Close releases the clients. It must not be called while Page runs.
func (e *Engine) Close() error {
	e.once.Do(func() {
		for _, c := range e.all {
			c.c.Close()
		}
	})
	return nil
}

// Page reads the regions of one page image and returns one Result per
// region, in the same order. Regions are spread over the client pool, so a
// single call already uses every core; calls for several pages may run at
// once and share the pool.
func (e *Engine) Page(ctx context.Context, img *image.Gray, regions []Region) ([]Result, error) {
	out := make([]Result, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, r := range regions {
		select {
		case e.slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		pool := e.pool
		if r.Mode == Digits {
			pool = e.digits
		}
		// A slot guarantees a free client: no pool holds fewer clients
		// than there are slots.
		cl := <-pool
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { pool <- cl; <-e.slots }()
			out[i], errs[i] = cl.read(img, r)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("ocr region %d %v: %w", i, regions[i].Rect, err)
		}
	}
	return out, ctx.Err()
}

// pad is the white margin put around a region: Tesseract finds glyphs that
// touch the image border poorly.
const pad = 20

func (cl *client) read(img *image.Gray, r Region) (Result, error) {
	rect := r.Rect.Intersect(img.Rect)
	if rect.Empty() {
		return Result{}, nil
	}
	if err := cl.setMode(r.Mode); err != nil {
		return Result{}, err
	}
	before := r.Before.Intersect(img.Rect)
	src, srect, scale := img, rect, 1.0
	// off is where rect's pixels start in the image read; words that
	// start left of skip belong to Before.
	var off image.Point
	skip := math.MinInt
	switch {
	case !before.Empty():
		gap := rect.Dy()
		src = sideBySide(img, before, rect, gap)
		srect = src.Rect
		off = image.Pt(before.Dx()+gap, (src.Rect.Dy()-rect.Dy())/2)
		skip = off.X - gap/2
	case r.Scale > 1:
		scale = r.Scale
		src = enlarge(img, rect, scale)
		srect = src.Rect
	}
	var lut *[256]byte
	if r.Mode == Numeric || r.Mode == Digits {
		lut = paperLUT(src, srect)
	}
	cl.buf = encodePGM(cl.buf[:0], src, srect, pad, lut)
	if err := cl.c.SetImageFromBytes(cl.buf); err != nil {
		return Result{}, err
	}
	// Words, not lines: a word's confidence shows the one doubtful
	// character that a line's mean hides. hOCR carries words, lines and
	// characters from one recognition.
	doc, err := cl.c.HOCRText()
	if err != nil {
		return Result{}, err
	}
	read, err := parseHOCR([]byte(doc))
	if err != nil {
		return Result{}, err
	}
	place := func(bx image.Rectangle) image.Rectangle {
		bx = bx.Sub(image.Pt(pad, pad)).Sub(off)
		bx = image.Rect(int(float64(bx.Min.X)/scale), int(float64(bx.Min.Y)/scale),
			int(math.Ceil(float64(bx.Max.X)/scale)), int(math.Ceil(float64(bx.Max.Y)/scale)))
		return bx.Add(rect.Min).Intersect(rect)
	}
	words := read[:0]
	for _, w := range read {
		if w.Rect.Min.X-pad < skip {
			continue
		}
		w.Rect = place(w.Rect)
		for i := range w.Chars {
			w.Chars[i].Rect = place(w.Chars[i].Rect)
		}
		words = append(words, w)
	}
	res := Result{Lines: Lines(words)}
	return res, nil
}

// sideBySide returns, at the origin, the rectangles a and b of img on one
// line, gap pixels apart, each centred on the line's height.
func sideBySide(img *image.Gray, a, b image.Rectangle, gap int) *image.Gray {
	h := max(a.Dy(), b.Dy())
	out := image.NewGray(image.Rect(0, 0, a.Dx()+gap+b.Dx(), h))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	put := func(r image.Rectangle, x int) {
		y0 := (h - r.Dy()) / 2
		for y := 0; y < r.Dy(); y++ {
			o := img.PixOffset(r.Min.X, r.Min.Y+y)
			copy(out.Pix[(y0+y)*out.Stride+x:], img.Pix[o:o+r.Dx()])
		}
	}
	put(a, 0)
	put(b, a.Dx()+gap)
	return out
}

func (cl *client) setMode(m Mode) error {
	if cl.mode == m {
		return nil
	}
	psm := gosseract.PSM_SINGLE_BLOCK
	white := ""
	switch m {
	case Numeric, Digits:
		psm, white = gosseract.PSM_SINGLE_LINE, NumericChars
	case Line:
		psm = gosseract.PSM_SINGLE_LINE
	case RawLine:
		psm = gosseract.PSM_RAW_LINE
	case Char:
		psm = gosseract.PSM_SINGLE_CHAR
	}
	if err := cl.c.SetPageSegMode(psm); err != nil {
		return err
	}
	if err := cl.c.SetWhitelist(white); err != nil {
		return err
	}
	cl.mode = m
	return nil
}

// enlarge returns rect of img scaled by f with bilinear interpolation, at
// the origin.
func enlarge(img *image.Gray, rect image.Rectangle, f float64) *image.Gray {
	w, h := int(float64(rect.Dx())*f), int(float64(rect.Dy())*f)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		sy := (float64(y)+0.5)/f - 0.5
		y0 := max(0, min(rect.Dy()-1, int(math.Floor(sy))))
		y1 := min(rect.Dy()-1, y0+1)
		fy := math.Max(0, math.Min(1, sy-float64(y0)))
		for x := 0; x < w; x++ {
			sx := (float64(x)+0.5)/f - 0.5
			x0 := max(0, min(rect.Dx()-1, int(math.Floor(sx))))
			x1 := min(rect.Dx()-1, x0+1)
			fx := math.Max(0, math.Min(1, sx-float64(x0)))
			p := func(xx, yy int) float64 { return float64(img.Pix[img.PixOffset(rect.Min.X+xx, rect.Min.Y+yy)]) }
			v := (p(x0, y0)*(1-fx)+p(x1, y0)*fx)*(1-fy) + (p(x0, y1)*(1-fx)+p(x1, y1)*fx)*fy
			out.Pix[y*out.Stride+x] = uint8(v + 0.5)
		}
	}
	return out
}

// paperLUT maps the gray levels of the rectangle r of img so that its paper
// (the median level: text covers far less than half a region) is white.
// Tesseract thresholds a region by its histogram: paper left a shade of
// gray inside a white margin splits it between paper and margin, and the
// text reads as one dark block ("71 个" as "2").
func paperLUT(img *image.Gray, r image.Rectangle) *[256]byte {
	var hist [256]int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := img.PixOffset(r.Min.X, y)
		for _, v := range img.Pix[o : o+r.Dx()] {
			hist[v]++
		}
	}
	half, paper := r.Dx()*r.Dy()/2, 255
	for n := 0; paper > 0; paper-- {
		if n += hist[paper]; n > half {
			break
		}
	}
	if paper >= 250 || paper < 128 {
		return nil // white already, or not a text region's paper
	}
	var lut [256]byte
	for v := range lut {
		lut[v] = byte(min(255, v*255/paper))
	}
	return &lut
}

// encodePGM writes the rectangle of img, framed by a white margin, as a
// binary PGM, the cheapest format Leptonica decodes from memory; lut, if
// not nil, maps its gray levels.
func encodePGM(buf []byte, img *image.Gray, r image.Rectangle, margin int, lut *[256]byte) []byte {
	w, h := r.Dx()+2*margin, r.Dy()+2*margin
	buf = fmt.Appendf(buf, "P5\n%d %d\n255\n", w, h)
	white := func(n int) {
		for ; n > 0; n-- {
			buf = append(buf, 255)
		}
	}
	white(margin * w)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		white(margin)
		o := img.PixOffset(r.Min.X, y)
		if lut == nil {
			buf = append(buf, img.Pix[o:o+r.Dx()]...)
		} else {
			for _, v := range img.Pix[o : o+r.Dx()] {
				buf = append(buf, lut[v])
			}
		}
		white(margin)
	}
	white(margin * w)
	return buf
}
