package pdftext

import (
	"context"
	"math"
	"strings"

	"github.com/ledongthuc/pdf"
)

// matrix is a PDF affine matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m×n: apply m first, then n.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

// rawGlyph is one shown character in device space (PDF user space after
// the CTM, origin bottom-left).
type rawGlyph struct {
	text                   string
	minX, minY, maxX, maxY float64
	size                   float64
}

// rawSeg is a straight stroked line in device space.
type rawSeg struct{ x0, y0, x1, y1 float64 }

type gstate struct {
	ctm                    matrix
	tc, tw, th, tl, trise  float64
	font                   *font
	fontSize               float64
	strokeWhite, fillWhite bool
}

type point struct{ x, y float64 }

type subpath struct {
	pts    []point
	closed bool
	curved bool
}

// pageInterp runs one page's content stream (and the form XObjects it
// paints) and collects glyphs and ruling lines.
type pageInterp struct {
	ctx       context.Context
	glyphs    []rawGlyph
	segs      []rawSeg
	ops       int
	fontCache map[string]*font
}

// abort carries a stop request (context done) out of pdf.Interpret.
type abort struct{ err error }

const (
	maxFormDepth    = 8
	maxGlyphsOnPage = 200000
	maxSegsOnPage   = 20000
)

func (p *pageInterp) run(strm, res pdf.Value, ctm matrix, depth int) {
	g := gstate{ctm: ctm, th: 1}
	var stack []gstate
	var path []subpath
	var tm, tlm matrix
	fonts := res.Key("Font")
	// Resolving a font dictionary parses its Widths array; LibreOffice
	// switches fonts for nearly every glyph run.
	local := map[string]*font{}

	cur := func() *subpath {
		if len(path) == 0 {
			path = append(path, subpath{})
		}
		return &path[len(path)-1]
	}
	emit := func(stroke, fill bool) {
		for _, sp := range path {
			pts := sp.pts
			if stroke && !g.strokeWhite {
				for i := 1; i < len(pts); i++ {
					p.addSeg(pts[i-1], pts[i])
				}
				if sp.closed && len(pts) > 2 {
					p.addSeg(pts[len(pts)-1], pts[0])
				}
			}
			if fill && !stroke && !g.fillWhite && !sp.curved && len(pts) >= 2 {
				// Some producers draw borders as thin filled rectangles.
				minX, minY, maxX, maxY := bounds(pts)
				w, h := maxX-minX, maxY-minY
				switch {
				case h <= 2.5 && w > 3:
					p.addSeg(point{minX, (minY + maxY) / 2}, point{maxX, (minY + maxY) / 2})
				case w <= 2.5 && h > 3:
					p.addSeg(point{(minX + maxX) / 2, minY}, point{(minX + maxX) / 2, maxY})
				}
			}
		}
		path = path[:0]
	}
	// Marked-content sequences open (BMC/BDC … EMC); the outermost one with
	// an /ActualText gives the text of everything shown inside it.
	var marks []actual
	show := func(raw string) {
		f := g.font
		if f == nil {
			return
		}
		var act *actual
		for i := range marks {
			if marks[i].set {
				act = &marks[i]
				break
			}
		}
		for _, c := range f.decode(raw) {
			if act != nil {
				// The first glyph carries the whole replacement; the
				// others are still drawn and advance the pen.
				c.text, act.text = act.text, ""
			}
			w0 := c.width / 1000
			trm := matrix{g.fontSize * g.th, 0, 0, g.fontSize, 0, g.trise}.mul(tm).mul(g.ctm)
			if len(p.glyphs) < maxGlyphsOnPage && c.text != "" {
				xs, ys := [4]float64{}, [4]float64{}
				xs[0], ys[0] = trm.apply(0, -0.2)
				xs[1], ys[1] = trm.apply(w0, -0.2)
				xs[2], ys[2] = trm.apply(0, 0.8)
				xs[3], ys[3] = trm.apply(w0, 0.8)
				gl := rawGlyph{text: c.text, minX: xs[0], maxX: xs[0], minY: ys[0], maxY: ys[0]}
				for i := 1; i < 4; i++ {
					gl.minX, gl.maxX = math.Min(gl.minX, xs[i]), math.Max(gl.maxX, xs[i])
					gl.minY, gl.maxY = math.Min(gl.minY, ys[i]), math.Max(gl.maxY, ys[i])
				}
				gl.size = math.Hypot(trm[2], trm[3])
				p.glyphs = append(p.glyphs, gl)
			}
			tx := w0*g.fontSize + g.tc
			if c.n == 1 && c.c == 32 {
				tx += g.tw
			}
			tm = matrix{1, 0, 0, 1, tx * g.th, 0}.mul(tm)
		}
	}

	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		p.ops++
		if p.ops&0xfff == 0 {
			if err := p.ctx.Err(); err != nil {
				panic(abort{err})
			}
		}
		num := func(i int) float64 {
			if i < len(args) {
				return args[i].Float64()
			}
			return 0
		}
		mat := func() matrix {
			var m matrix
			for i := range m {
				m[i] = num(i)
			}
			return m
		}
		switch op {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, g)
			}
		case "Q":
			if n := len(stack); n > 0 {
				g = stack[n-1]
				stack = stack[:n-1]
			}
		case "cm":
			if len(args) == 6 {
				g.ctm = mat().mul(g.ctm)
			}
		case "G", "g", "RG", "rg", "K", "k", "SC", "sc", "SCN", "scn":
			white := isWhite(op, args)
			if op[0] >= 'a' {
				g.fillWhite = white
			} else {
				g.strokeWhite = white
			}
		case "m":
			x, y := g.ctm.apply(num(0), num(1))
			path = append(path, subpath{pts: []point{{x, y}}})
		case "l":
			x, y := g.ctm.apply(num(0), num(1))
			sp := cur()
			sp.pts = append(sp.pts, point{x, y})
		case "c", "v", "y":
			x, y := g.ctm.apply(num(len(args)-2), num(len(args)-1))
			sp := cur()
			sp.pts = append(sp.pts, point{x, y})
			sp.curved = true
		case "h":
			if len(path) > 0 {
				path[len(path)-1].closed = true
			}
		case "re":
			x, y, w, h := num(0), num(1), num(2), num(3)
			sp := subpath{closed: true}
			for _, q := range [4]point{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}} {
				dx, dy := g.ctm.apply(q.x, q.y)
				sp.pts = append(sp.pts, point{dx, dy})
			}
			path = append(path, sp)
		case "S":
			emit(true, false)
		case "s":
			if len(path) > 0 {
				path[len(path)-1].closed = true
			}
			emit(true, false)
		case "f", "F", "f*":
			emit(false, true)
		case "B", "B*", "b", "b*":
			if op[0] == 'b' && len(path) > 0 {
				path[len(path)-1].closed = true
			}
			emit(true, true)
		case "n":
			path = path[:0]
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				f, ok := local[name]
				if !ok {
					f = p.font(fonts, name)
					local[name] = f
				}
				g.font = f
				g.fontSize = args[1].Float64()
			}
		case "Tc":
			g.tc = num(0)
		case "Tw":
			g.tw = num(0)
		case "Tz":
			g.th = num(0) / 100
		case "TL":
			g.tl = num(0)
		case "Ts":
			g.trise = num(0)
		case "Td", "TD":
			if op == "TD" {
				g.tl = -num(1)
			}
			tlm = matrix{1, 0, 0, 1, num(0), num(1)}.mul(tlm)
			tm = tlm
		case "Tm":
			if len(args) == 6 {
				tm, tlm = mat(), mat()
			}
		case "T*":
			tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
			tm = tlm
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "'", "\"":
			if op == "\"" && len(args) == 3 {
				g.tw, g.tc = num(0), num(1)
				args = args[2:]
			}
			tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
			tm = tlm
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				break
			}
			a := args[0]
			for i := 0; i < a.Len(); i++ {
				x := a.Index(i)
				if x.Kind() == pdf.String {
					show(x.RawString())
				} else {
					tm = matrix{1, 0, 0, 1, -x.Float64() / 1000 * g.fontSize * g.th, 0}.mul(tm)
				}
			}
		case "BMC":
			if len(marks) < 64 {
				marks = append(marks, actual{})
			}
		case "BDC":
			if len(marks) < 64 && len(args) == 2 {
				props := args[1]
				if props.Kind() == pdf.Name {
					props = res.Key("Properties").Key(props.Name())
				}
				a := actual{}
				if t := props.Key("ActualText"); t.Kind() == pdf.String {
					a = actual{set: true, text: markText(textString(t.RawString()))}
				}
				marks = append(marks, a)
			}
		case "EMC":
			if n := len(marks); n > 0 {
				marks = marks[:n-1]
			}
		case "Do":
			if len(args) != 1 || depth >= maxFormDepth {
				break
			}
			xo := res.Key("XObject").Key(args[0].Name())
			if xo.Key("Subtype").Name() != "Form" {
				break
			}
			m := identity
			if mm := xo.Key("Matrix"); mm.Len() == 6 {
				for i := range m {
					m[i] = mm.Index(i).Float64()
				}
			}
			r := xo.Key("Resources")
			if r.IsNull() {
				r = res
			}
			p.run(xo, r, m.mul(g.ctm), depth+1)
		}
	})
}

// actual is an open marked-content sequence; set when it gives the text of
// what it shows (/ActualText). LibreOffice draws a symbol its font lacks
// with some other font's glyph — the same glyph for Wingdings 2's R (☑)
// and £ (□) — and says which character it was only there.
type actual struct {
	set  bool
	text string
}

// textString decodes a PDF text string: UTF-16BE after its byte order
// mark, else PDFDocEncoding, which matches Latin-1 where forms use it.
func textString(s string) string {
	if strings.HasPrefix(s, "\xfe\xff") {
		return utf16be(s[2:])
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

func (p *pageInterp) font(fonts pdf.Value, name string) *font {
	// Form XObjects may reuse a resource name for another font; the cache
	// is keyed by the font dictionary's BaseFont too.
	v := fonts.Key(name)
	if v.IsNull() {
		return nil
	}
	key := name + "\x00" + v.Key("BaseFont").Name()
	if f, ok := p.fontCache[key]; ok {
		return f
	}
	f := loadFont(v)
	p.fontCache[key] = f
	return f
}

func (p *pageInterp) addSeg(a, b point) {
	if len(p.segs) >= maxSegsOnPage {
		return
	}
	dx, dy := math.Abs(a.x-b.x), math.Abs(a.y-b.y)
	// Only axis-parallel rules bound cells; diagonals (split header cells)
	// and dots are ignored.
	if (dx < 0.5 && dy > 2) || (dy < 0.5 && dx > 2) {
		p.segs = append(p.segs, rawSeg{a.x, a.y, b.x, b.y})
	}
}

func bounds(pts []point) (minX, minY, maxX, maxY float64) {
	minX, minY, maxX, maxY = pts[0].x, pts[0].y, pts[0].x, pts[0].y
	for _, q := range pts[1:] {
		minX, maxX = math.Min(minX, q.x), math.Max(maxX, q.x)
		minY, maxY = math.Min(minY, q.y), math.Max(maxY, q.y)
	}
	return
}

// isWhite reports whether a colour operator sets (near) white, which some
// producers use to paint over borders a table does not show.
func isWhite(op string, args []pdf.Value) bool {
	var vs []float64
	for _, a := range args {
		if a.Kind() == pdf.Integer || a.Kind() == pdf.Real {
			vs = append(vs, a.Float64())
		}
	}
	if len(vs) == 0 {
		return false
	}
	if op == "K" || op == "k" || len(vs) == 4 {
		for _, v := range vs {
			if v > 0.05 {
				return false
			}
		}
		return true
	}
	for _, v := range vs {
		if v < 0.95 {
			return false
		}
	}
	return true
}
