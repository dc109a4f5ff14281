// Package docx reads Word OOXML documents (.docx) into shenbao.Content by
// streaming word/document.xml with encoding/xml: paragraphs, tables with
// merged cells (gridSpan, vMerge), nested tables, and every way Word writes
// a tick — mark glyphs, symbol-font runs, <w:sym>, checkbox content controls
// (w14:checkbox) and legacy FORMCHECKBOX fields — normalised to ☑ / □.
package docx

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/glyph"
)

// Limits bound the work one document may cause. The zero value means the
// defaults.
type Limits struct {
	// MaxXMLBytes caps the inflated size of word/document.xml, so a zip bomb
	// fails fast instead of filling memory.
	MaxXMLBytes int64
	// MaxDepth caps element nesting (tables in tables in tables…).
	MaxDepth int
}

const (
	defaultMaxXML   = 64 << 20
	defaultMaxDepth = 200
)

func (l Limits) withDefaults() Limits {
	if l.MaxXMLBytes <= 0 {
		l.MaxXMLBytes = defaultMaxXML
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = defaultMaxDepth
	}
	return l
}

// Read parses a .docx held in r (size bytes) with the default limits.
func Read(ctx context.Context, r io.ReaderAt, size int64) (*shenbao.Content, error) {
	return ReadLimits(ctx, r, size, Limits{})
}

// ReadLimits parses a .docx with explicit limits.
func ReadLimits(ctx context.Context, r io.ReaderAt, size int64, lim Limits) (*shenbao.Content, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, shenbao.Wrap(shenbao.EINVALID, err, "文件不是有效的 Word 文档（docx 压缩包损坏或不完整），请重新导出后上传。/ Not a valid Word document (the docx zip is damaged or truncated); export it again and re-upload.")
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
			break
		}
	}
	if doc == nil {
		return nil, shenbao.Errorf(shenbao.EINVALID, "压缩包中没有 word/document.xml，不是 Word 文档。/ The zip has no word/document.xml; it is not a Word document.")
	}
	if doc.UncompressedSize64 > uint64(lim.MaxXMLBytes) {
		return nil, tooLarge(lim)
	}
	rc, err := doc.Open()
	if err != nil {
		return nil, shenbao.Wrap(shenbao.EINVALID, err, "无法打开 word/document.xml。/ Cannot open word/document.xml.")
	}
	defer rc.Close()
	// The declared size can lie; count what actually inflates.
	lr := &limitedReader{r: rc, n: lim.MaxXMLBytes}
	p := &parser{ctx: ctx, dec: xml.NewDecoder(lr), lim: lim, ns: map[string]string{}}
	p.dec.Strict = true
	blocks, err := p.body()
	if err != nil {
		if lr.exceeded {
			return nil, tooLarge(lim)
		}
		var se *shenbao.Error
		if errors.As(err, &se) {
			return nil, se
		}
		if ctx.Err() != nil {
			return nil, shenbao.Wrap(shenbao.ETIMEOUT, err, "读取 Word 文档超时。/ Reading the Word document timed out.")
		}
		return nil, shenbao.Wrap(shenbao.EINVALID, err, "Word 文档内容（document.xml）格式错误，请用 Word 或 WPS 打开后另存为 docx 再上传。/ The Word document's XML is malformed; open it in Word or WPS, save as .docx and upload again.")
	}
	return &shenbao.Content{Format: shenbao.FormatDOCX, Blocks: blocks}, nil
}

func tooLarge(lim Limits) *shenbao.Error {
	return shenbao.Errorf(shenbao.ETOOLARGE, "Word 文档解压后超过 %d MB（可能是压缩炸弹），已拒绝。/ The Word document inflates past %d MB (possibly a zip bomb) and was rejected.", lim.MaxXMLBytes>>20, lim.MaxXMLBytes>>20)
}

type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.exceeded = true
		return 0, errors.New("document.xml exceeds size limit")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

const (
	nsW   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsW14 = "http://schemas.microsoft.com/office/word/2010/wordml"
	nsMC  = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

type parser struct {
	ctx   context.Context
	dec   *xml.Decoder
	lim   Limits
	depth int
	n     int               // tokens read, to poll ctx now and then
	ns    map[string]string // namespace prefix → URI
	open  []xml.Name        // elements open, as written
}

func (p *parser) token() (xml.Token, error) {
	p.n++
	if p.n&0xfff == 0 {
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
	}
	// RawToken skips encoding/xml's namespace translation, the costliest
	// part of reading; prefixes are resolved here from the xmlns
	// declarations, and start and end tags are matched here.
	tok, err := p.dec.RawToken()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" {
				p.ns[a.Name.Local] = a.Value
			} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
				p.ns[""] = a.Value
			}
		}
		p.open = append(p.open, t.Name)
		t.Name.Space = p.ns[t.Name.Space]
		return t, nil
	case xml.EndElement:
		if len(p.open) == 0 || p.open[len(p.open)-1] != t.Name {
			return nil, fmt.Errorf("element <%s:%s> closed by </%s:%s>", lastName(p.open).Space, lastName(p.open).Local, t.Name.Space, t.Name.Local)
		}
		p.open = p.open[:len(p.open)-1]
		t.Name.Space = p.ns[t.Name.Space]
		return t, nil
	case xml.Directive:
		if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
			// OOXML never carries a DTD; one here is an entity-expansion attack.
			return nil, shenbao.Errorf(shenbao.EINVALID, "Word 文档含有 DTD 声明（可能是实体扩展攻击），已拒绝。/ The Word document contains a DTD (possibly an entity-expansion attack) and was rejected.")
		}
	}
	return tok, nil
}

func lastName(open []xml.Name) xml.Name {
	if len(open) == 0 {
		return xml.Name{}
	}
	return open[len(open)-1]
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.lim.MaxDepth {
		return shenbao.Errorf(shenbao.ETOOLARGE, "Word 文档嵌套层次过深（超过 %d 层），已拒绝。/ The Word document nests deeper than %d levels and was rejected.", p.lim.MaxDepth, p.lim.MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// skip consumes the rest of the element whose start was just read.
func (p *parser) skip() error {
	depth := 1
	for depth > 0 {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// body reads up to <w:body> and returns its blocks.
func (p *parser) body() ([]shenbao.Block, error) {
	for {
		tok, err := p.token()
		if err == io.EOF {
			return nil, errors.New("no <w:body>")
		} else if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Space == nsW && se.Name.Local == "body" {
			var blocks []shenbao.Block
			err := p.blocks(func(b shenbao.Block) { blocks = append(blocks, b) })
			return blocks, err
		}
	}
}

// each calls fn for every child element of the element whose start tag was
// just read, up to its end tag. fn must consume the child: read it whole or
// skip it. Every element of the document is read through here, so the
// nesting limit is enforced here.
func (p *parser) each(fn func(se xml.StartElement) error) error {
	if err := p.enter(); err != nil {
		return err
	}
	defer p.leave()
	for {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

// isWrapper reports elements whose content counts as if it stood in their
// place: content controls, custom XML, smart tags, tracked insertions.
func isWrapper(se xml.StartElement) bool {
	return isW(se, "sdt") || isW(se, "sdtContent") || isW(se, "customXml") || isW(se, "smartTag") || isW(se, "ins")
}

// blocks reads block-level content (paragraphs, tables, block content
// controls) until the end of the enclosing element.
func (p *parser) blocks(emit func(shenbao.Block)) error {
	return p.each(func(t xml.StartElement) error {
		switch {
		case isW(t, "p"):
			text, err := p.paragraph()
			emit(shenbao.Block{Text: text})
			return err
		case isW(t, "tbl"):
			tbl, err := p.table()
			emit(shenbao.Block{Table: tbl})
			return err
		case isWrapper(t):
			return p.blocks(emit)
		}
		return p.skip()
	})
}

func isW(se xml.StartElement, local string) bool {
	return se.Name.Space == nsW && se.Name.Local == local
}

// attr finds an attribute by local name. Attribute prefixes are left as
// written (w:, w14:); OOXML never gives two attributes the same local name
// in different namespaces on the elements read here.
func attr(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// onOff reads a boolean property element (<w:b/>, <w14:checked w14:val="1"/>).
func onOff(se xml.StartElement) bool {
	v, ok := attr(se, "val")
	if !ok {
		return true
	}
	switch v {
	case "0", "false", "off":
		return false
	}
	return true
}

// table reads a <w:tbl> whose start tag was consumed; rows wrapped in
// content controls are read as if bare.
func (p *parser) table() (*shenbao.Table, error) {
	tbl := &shenbao.Table{}
	var rows func(t xml.StartElement) error
	rows = func(t xml.StartElement) error {
		switch {
		case isW(t, "tr"):
			row, err := p.row()
			tbl.Rows = append(tbl.Rows, row)
			return err
		case isWrapper(t):
			return p.each(rows)
		}
		return p.skip()
	}
	err := p.each(rows)
	return tbl, err
}

// row reads a <w:tr>, placing each cell on the table grid.
func (p *parser) row() (shenbao.Row, error) {
	var row shenbao.Row
	col := 0
	var cells func(t xml.StartElement) error
	cells = func(t xml.StartElement) error {
		switch {
		case isW(t, "trPr"):
			return p.each(func(t xml.StartElement) error {
				if isW(t, "gridBefore") {
					v, _ := attr(t, "val")
					if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 1000 {
						col += n
					}
				}
				return p.skip()
			})
		case isW(t, "tc"):
			c, err := p.cell()
			c.Col = col
			col += c.Span
			row.Cells = append(row.Cells, c)
			return err
		case isWrapper(t):
			return p.each(cells)
		}
		return p.skip()
	}
	err := p.each(cells)
	return row, err
}

// cell reads a <w:tc>: its properties, paragraphs and nested tables.
func (p *parser) cell() (shenbao.Cell, error) {
	c := shenbao.Cell{Span: 1}
	var paras []string
	var content func(t xml.StartElement) error
	content = func(t xml.StartElement) error {
		switch {
		case isW(t, "tcPr"):
			return p.each(func(t xml.StartElement) error {
				switch {
				case isW(t, "gridSpan"):
					v, _ := attr(t, "val")
					if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 1000 {
						c.Span = n
					}
				case isW(t, "vMerge"):
					// No val, or val="continue", continues the cell above.
					v, _ := attr(t, "val")
					c.Merged = v != "restart"
				case isW(t, "hMerge"):
					if v, _ := attr(t, "val"); v != "restart" {
						c.Merged = true
					}
				}
				return p.skip()
			})
		case isW(t, "p"):
			text, err := p.paragraph()
			paras = append(paras, text)
			return err
		case isW(t, "tbl"):
			tbl, err := p.table()
			c.Tables = append(c.Tables, *tbl)
			// Keep the nested table's place in the text flow.
			paras = append(paras, "")
			return err
		case isWrapper(t):
			return p.each(content)
		}
		return p.skip()
	}
	err := p.each(content)
	c.Text = strings.Join(paras, "\n")
	return c, err
}

// run state while reading a paragraph.
type runState struct {
	font string // the run's ascii/hAnsi font, where symbol fonts are named
}

// paragraph reads a <w:p> and returns its text. Checkbox content controls
// and form fields become ☑ or □; symbol-font glyphs become Unicode marks.
func (p *parser) paragraph() (string, error) {
	var b strings.Builder
	err := p.paraContent(&b, runState{})
	return b.String(), err
}

func (p *parser) paraContent(b *strings.Builder, st runState) error {
	return p.each(func(t xml.StartElement) error {
		switch {
		case isW(t, "r"):
			return p.run(b, st)
		case isW(t, "sdt"):
			return p.inlineSDT(b, st)
		case isW(t, "del"), isW(t, "moveFrom"), isW(t, "pPr"), isW(t, "bookmarkStart"), isW(t, "bookmarkEnd"), isW(t, "proofErr"):
			return p.skip()
		case t.Name.Space == nsMC && t.Name.Local == "Fallback":
			// mc:Choice holds the same content.
			return p.skip()
		}
		// Hyperlinks, smart tags, fields, insertions, mc:AlternateContent…:
		// their runs are part of the paragraph's text.
		return p.paraContent(b, st)
	})
}

// inlineSDT reads a run-level content control. A checkbox control's state
// is its w14:checked value; its own content (a ☒ in MS Gothic) is dropped
// so the mark is not read twice.
func (p *parser) inlineSDT(b *strings.Builder, st runState) error {
	checkbox, checked := false, false
	return p.each(func(t xml.StartElement) error {
		switch {
		case isW(t, "sdtPr"):
			return p.descendants(func(t xml.StartElement) {
				switch {
				case t.Name.Space == nsW14 && t.Name.Local == "checkbox":
					checkbox = true
				case t.Name.Space == nsW14 && t.Name.Local == "checked":
					checked = onOff(t)
				}
			})
		case isW(t, "sdtContent") && checkbox:
			b.WriteRune(mark(checked))
			return p.skip()
		case isW(t, "sdtContent"):
			return p.paraContent(b, st)
		}
		return p.skip()
	})
}

// descendants calls fn for every element inside the one just opened, at any
// depth, and consumes it.
func (p *parser) descendants(fn func(t xml.StartElement)) error {
	return p.each(func(t xml.StartElement) error {
		fn(t)
		return p.descendants(fn)
	})
}

func mark(checked bool) rune {
	if checked {
		return '☑'
	}
	return '□'
}

// run reads a <w:r>.
func (p *parser) run(b *strings.Builder, st runState) error {
	return p.each(func(t xml.StartElement) error {
		switch {
		case isW(t, "rPr"):
			return p.descendants(func(t xml.StartElement) {
				if isW(t, "rFonts") {
					st.font = runFont(t)
				}
			})
		case isW(t, "t"):
			s, err := p.chardata()
			writeText(b, st.font, s)
			return err
		case isW(t, "tab"):
			b.WriteString("\t")
		case isW(t, "br"), isW(t, "cr"):
			b.WriteString("\n")
		case isW(t, "sym"):
			font, _ := attr(t, "font")
			ch, _ := attr(t, "char")
			if v, err := strconv.ParseUint(ch, 16, 32); err == nil {
				if u, ok := symMark(font, rune(v)); ok {
					b.WriteRune(u)
				}
			}
		case isW(t, "fldChar"):
			box, err := p.formCheckbox()
			if box != 0 {
				b.WriteRune(mark(box > 0))
			}
			return err
		case isW(t, "instrText"):
			instr, err := p.chardata()
			if r, ok := enclosedMark(instr); ok {
				b.WriteRune(r)
			}
			return err
		}
		// delText, drawings, footnote references: not text.
		return p.skip()
	})
}

// symMark reads a <w:sym>: a code of a symbol font by that font's table; a
// private-use code of a font not known as one (a renamed or localised
// Wingdings 2) by the symbol tables; a Unicode character (w:font="Segoe UI
// Symbol" w:char="2611") as itself when it is a mark.
func symMark(font string, r rune) (rune, bool) {
	if glyph.IsSymbolFont(font) {
		return glyph.Symbol(font, r)
	}
	if u, ok := glyph.PrivateUse(r); ok {
		return u, true
	}
	return r, shenbao.MarkState(r) != 0
}

// enclosedMark reads Word's "enclosed character" field (带圈字符), the way
// many Chinese forms draw a tick inside a box: EQ \o\ac(□,√). The field
// shows one overprinted glyph; its code names the box and the mark.
func enclosedMark(instr string) (rune, bool) {
	i := strings.Index(instr, `\o`)
	if i < 0 || !strings.Contains(strings.ToUpper(instr), "EQ") {
		return 0, false
	}
	checked, box := false, false
	for _, r := range instr[i:] {
		switch shenbao.MarkState(r) {
		case 1:
			checked = true
		case -1:
			box = true
		}
	}
	switch {
	case checked:
		return '☑', true
	case box:
		return '□', true
	}
	return 0, false
}

// formCheckbox reads a <w:fldChar>; for the start of a legacy FORMCHECKBOX
// field it returns +1 (checked) or -1 (empty), else 0.
func (p *parser) formCheckbox() (int, error) {
	isBox, checkedSet, checked, defaultOn := false, false, false, false
	err := p.descendants(func(t xml.StartElement) {
		switch {
		case isW(t, "checkBox"):
			isBox = true
		case isW(t, "checked"):
			checkedSet, checked = true, onOff(t)
		case isW(t, "default"):
			v, _ := attr(t, "val")
			defaultOn = v == "1" || v == "true" || v == "on"
		}
	})
	switch {
	case !isBox:
		return 0, err
	case checked || !checkedSet && defaultOn:
		return 1, err
	}
	return -1, err
}

// runFont names a run's font from <w:rFonts>, preferring a symbol font
// wherever it is named.
func runFont(t xml.StartElement) string {
	font := ""
	for _, name := range []string{"ascii", "hAnsi", "cs", "eastAsia"} {
		if v, ok := attr(t, name); ok && glyph.IsSymbolFont(v) {
			return v
		} else if ok && font == "" {
			font = v
		}
	}
	return font
}

func (p *parser) chardata() (string, error) {
	var b strings.Builder
	for {
		tok, err := p.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.EndElement:
			return b.String(), nil
		case xml.StartElement:
			if err := p.skip(); err != nil {
				return "", err
			}
		}
	}
}

// writeText appends run text, translating symbol-font glyphs.
func writeText(b *strings.Builder, font string, s string) {
	if !glyph.IsSymbolFont(font) {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		if u, ok := glyph.Symbol(font, r); ok {
			b.WriteRune(u)
		} else {
			b.WriteRune(r)
		}
	}
}

// String renders Content as indented text, for debugging and golden files.
func String(c *shenbao.Content) string {
	var b strings.Builder
	for _, bl := range c.Blocks {
		if bl.Table != nil {
			writeTable(&b, bl.Table, "")
		} else {
			fmt.Fprintf(&b, "P: %s\n", bl.Text)
		}
	}
	return b.String()
}

func writeTable(b *strings.Builder, t *shenbao.Table, ind string) {
	fmt.Fprintf(b, "%sTABLE\n", ind)
	for _, r := range t.Rows {
		fmt.Fprintf(b, "%s  ROW\n", ind)
		for _, c := range r.Cells {
			m := ""
			if c.Merged {
				m = " merged"
			}
			fmt.Fprintf(b, "%s    [%d+%d%s] %q\n", ind, c.Col, c.Span, m, c.Text)
			for i := range c.Tables {
				writeTable(b, &c.Tables[i], ind+"      ")
			}
		}
	}
}
