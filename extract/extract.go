// Package extract turns an uploaded file into a shenbao.Report: it detects
// the file type from its content, reads it with the engines in a fixed
// order — the docx reader, the PDF text layer, then OCR for scans — then
// recognises the form edition and maps the content onto its template.
package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/correct"
	"github.com/shenbao/shenbao/corroborate"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/docx"
	"github.com/shenbao/shenbao/extract/filetype"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/pdftext"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/extract/scan"
	"github.com/shenbao/shenbao/extract/scanpdf"
	"github.com/shenbao/shenbao/layout"
)

// ReadFunc reads one kind of document into Content.
type ReadFunc func(ctx context.Context, r io.ReaderAt, size int64) (*shenbao.Content, error)

// Extractor holds the engines and limits. Templates and DOCX are required;
// a nil PDFText or Scan engine makes those documents fail with a clear
// error instead of an empty report.
type Extractor struct {
	Templates *layout.Set
	DOCX      ReadFunc
	PDFText   ReadFunc
	// Scan reads image-only PDFs (OCR); it runs when the text layer is
	// missing or unusable.
	Scan ReadFunc
	// Ink measures drawn ticks on digital PDFs whose options carry no
	// mark in the text layer; nil skips that (they stay flagged as unsure).
	Ink InkFunc
	// Convert turns a legacy .doc/.wps into .docx (LibreOffice).
	Convert func(ctx context.Context, data []byte, ext string) ([]byte, error)
	// MaxBytes refuses larger files before reading them.
	MaxBytes int64
	// ReviewThreshold: values read with less confidence get a
	// low_confidence finding.
	ReviewThreshold float64
	// scanEngine is who reads a scan's values (ScanWith).
	scanEngine string
	// scanPool keeps the scan's warm workers (ScanWith); Close ends them.
	scanPool *child.Pool
}

// New returns an Extractor with every engine: docx, the PDF text layer, and
// OCR for scans (run in a child process; a binary built without cgo
// reports scans as needing the OCR engine). A program using it calls
// child.Main first thing in main.
func New(templates *layout.Set) *Extractor {
	e := &Extractor{
		Templates: templates, DOCX: docx.Read, PDFText: pdftext.Read, Ink: render.Ink,
		MaxBytes: 100 << 20, ReviewThreshold: 0.8,
	}
	e.ScanWith(scanpdf.Options{})
	return e
}

// ScanWith sets the scan engine to a child-process scan reader with opts,
// told what the templates print so that it need not read their labels
// through.
//
// Without an engine chosen, values are read by both recognisers where the
// PP-OCR models are installed and load (ocr.ResolveEngine), by Tesseract
// alone elsewhere; the command line says why when the models are broken.
func (e *Extractor) ScanWith(opts scanpdf.Options) {
	opts.Forms = ScanForms(e.Templates)
	if opts.Engine == "" {
		exe, _ := os.Executable()
		eng, dir, err := ocr.ResolveEngine("", opts.Models, exe)
		if err != nil {
			eng, dir = ocr.EngineTesseract, ""
		}
		opts.Engine, opts.Models = eng, dir
	}
	e.scanEngine = opts.Engine
	// Warm workers: a scan child keeps its engines for the next document
	// (over a second of CPU each), so a batch or a queue worker loads them
	// once per worker, not once per document.
	e.Close()
	e.scanPool = child.NewPool(child.PoolOptions{})
	e.Scan = scanpdf.Reader{Opts: opts, Pool: e.scanPool}.Read
}

// ScanWorkersStarted is how many scan worker processes have been started
// since the last ScanWith.
func (e *Extractor) ScanWorkersStarted() int64 {
	if e.scanPool == nil {
		return 0
	}
	return e.scanPool.Started()
}

// Close ends the scan's warm workers; scans after it start a child each.
func (e *Extractor) Close() error {
	if e.scanPool == nil {
		return nil
	}
	return e.scanPool.Close()
}

// ScanForms is what each of templates prints, as a scan reader takes it.
func ScanForms(templates *layout.Set) []scan.Form {
	var out []scan.Form
	for _, t := range templates.All() {
		out = append(out, scan.Form{Print: t.Printed(), Labels: t.Labels(), Notes: t.Notes, Other: t.OtherPrint()})
	}
	return out
}

// Settings names what an extraction depends on beyond the build and the
// templates, for the cache key: the correction rules in their order and
// the recogniser that reads scans, so that a scan read by Tesseract alone
// is never served where both engines now read.
func (e *Extractor) Settings() []string {
	out := []string{"scan engine " + e.scanEngine}
	for _, r := range correct.Rules() {
		out = append(out, "rule "+r.Name())
	}
	return out
}

// Kind is a file type detected from content (package filetype).
type Kind = filetype.Kind

// The kinds, as filetype names them.
const (
	KindPDF     = filetype.PDF
	KindDOCX    = filetype.DOCX
	KindOLE     = filetype.OLE
	KindJPEG    = filetype.JPEG
	KindPNG     = filetype.PNG
	KindTIFF    = filetype.TIFF
	KindUnknown = filetype.Unknown
)

// Sniff detects the file type from its first bytes, never its name: the
// same sniffer the upload check uses (filetype.Detect).
func Sniff(data []byte) Kind { return filetype.Detect(data[:min(len(data), filetype.HeadLen)]) }

// Extract reads one document. name is only reported, never trusted.
func (e *Extractor) Extract(ctx context.Context, name string, data []byte) (*shenbao.Report, error) {
	if e.MaxBytes > 0 && int64(len(data)) > e.MaxBytes {
		return nil, shenbao.Errorf(shenbao.ETOOLARGE, "文件超过 %d MB 的上限。/ The file is larger than the %d MB limit.", e.MaxBytes>>20, e.MaxBytes>>20)
	}
	if len(data) == 0 {
		return nil, shenbao.Errorf(shenbao.EINVALID, "文件为空。/ The file is empty.")
	}
	sum := sha256.Sum256(data)
	content, format, err := e.read(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	rep := &shenbao.Report{File: name, SHA256: hex.EncodeToString(sum[:]), Format: format, Pages: len(content.Pages)}
	e.Apply(rep, content)
	if format == shenbao.FormatPDFText && e.Ink != nil {
		e.inkTicks(ctx, rep, data)
	}
	rep.Findings = append(rep.Findings, e.LowConfidence(rep)...)
	return rep, nil
}

func (e *Extractor) read(ctx context.Context, data []byte) (*shenbao.Content, string, error) {
	r := bytes.NewReader(data)
	switch Sniff(data) {
	case KindDOCX:
		c, err := e.DOCX(ctx, r, int64(len(data)))
		return c, shenbao.FormatDOCX, err
	case KindOLE:
		if e.Convert == nil {
			return nil, "", shenbao.Errorf(shenbao.ENOTINSTALLED, "这是旧版 Word/WPS 文件（.doc/.wps），需要安装 LibreOffice 才能读取：apt-get install -y libreoffice-writer；或另存为 .docx 后上传。/ This is a legacy Word/WPS file (.doc/.wps); install LibreOffice to read it (apt-get install -y libreoffice-writer), or save it as .docx and upload that.")
		}
		converted, err := e.Convert(ctx, data, "doc")
		if err != nil {
			return nil, "", err
		}
		c, err := e.DOCX(ctx, bytes.NewReader(converted), int64(len(converted)))
		if c != nil {
			c.Format = shenbao.FormatDOC
		}
		return c, shenbao.FormatDOC, err
	case KindPDF:
		return e.readPDF(ctx, data)
	case KindJPEG, KindPNG, KindTIFF:
		return e.readImage(ctx, Sniff(data), data)
	}
	return nil, "", Unsupported()
}

// Unsupported is the error for a file of a kind shenbao does not read.
func Unsupported() error {
	return shenbao.Errorf(shenbao.EUNSUPPORTED, "不支持的文件类型：只接受 %s 文件（按内容判断，而非扩展名）。/ Unsupported file type: only %s files are accepted (judged by content, not by the name).", filetype.Names, filetype.NamesEn)
}

// readImage reads an image file (a scan saved as JPEG, PNG or TIFF, of
// one page or many) through the scan path. Its headers are checked first,
// so that an image too large at its own pixels, or cut short, is refused
// before any decoder runs.
func (e *Extractor) readImage(ctx context.Context, k Kind, data []byte) (*shenbao.Content, string, error) {
	if _, err := filetype.Images(k, bytes.NewReader(data), int64(len(data)), filetype.Limits{}); err != nil {
		return nil, "", err
	}
	if e.Scan == nil {
		return nil, "", shenbao.Errorf(shenbao.ENEEDSOCR, "图像文件需要 OCR，但未启用扫描件读取引擎。/ An image file needs OCR, but no scan engine is enabled.")
	}
	c, err := e.Scan(ctx, bytes.NewReader(data), int64(len(data)))
	return c, shenbao.FormatPDFScan, err
}

// readPDF tries the text layer first and falls back to OCR when the layer
// is missing, or present but not the form's text (a scan with a junk layer).
func (e *Extractor) readPDF(ctx context.Context, data []byte) (*shenbao.Content, string, error) {
	// What a mail gateway put before the header goes, as what it put
	// after the end does: the file's offsets count from its header.
	data = trimAfterEOF(data[max(filetype.PDFStart(data), 0):])
	var textErr error
	if e.PDFText != nil {
		c, err := e.PDFText(ctx, bytes.NewReader(data), int64(len(data)))
		if err == nil && e.Templates.Detect(c).ID != shenbao.EditionUnknown {
			return c, shenbao.FormatPDFText, nil
		}
		if err != nil && shenbao.ErrorCode(err) != shenbao.ENEEDSOCR {
			// The text parser is stricter than MuPDF: a scanner's PDF
			// it cannot parse (tiff2pdf's) may still open there. If it
			// does not either, the parser's message stands.
			if shenbao.ErrorCode(err) != shenbao.EINVALID || e.Scan == nil {
				return nil, "", err
			}
			c, serr := e.Scan(ctx, bytes.NewReader(data), int64(len(data)))
			if serr != nil {
				return nil, "", err
			}
			return c, shenbao.FormatPDFScan, nil
		}
		if err == nil && e.Scan == nil {
			// Usable text that matches no template: report it as unknown.
			return c, shenbao.FormatPDFText, nil
		}
		textErr = err
	}
	if e.Scan == nil {
		if textErr == nil {
			textErr = shenbao.Errorf(shenbao.ENEEDSOCR, "此 PDF 需要 OCR，但未启用 PDF 读取引擎。/ This PDF needs OCR, but no PDF engine is enabled.")
		}
		var se *shenbao.Error
		if errors.As(textErr, &se) {
			return nil, "", se
		}
		return nil, "", textErr
	}
	c, err := e.Scan(ctx, bytes.NewReader(data), int64(len(data)))
	return c, shenbao.FormatPDFScan, err
}

// trimAfterEOF drops what follows a PDF's last %%EOF marker — mail
// gateways and scanners' upload tools pad files — which the text-layer
// reader, looking for the cross-reference table from the end, cannot skip.
func trimAfterEOF(data []byte) []byte {
	i := bytes.LastIndex(data, []byte("%%EOF"))
	if i < 0 {
		return data
	}
	end := i + len("%%EOF")
	if len(bytes.TrimSpace(data[end:])) == 0 {
		return data
	}
	return data[:end]
}

// Apply detects the edition of content and maps it into rep.
func (e *Extractor) Apply(rep *shenbao.Report, content *shenbao.Content) {
	rep.Edition = e.Templates.Detect(content)
	rep.Fields, rep.Checkboxes, rep.Texts, rep.Findings = []shenbao.Field{}, []shenbao.Checkbox{}, []shenbao.Text{}, []shenbao.Finding{}
	rep.Repairs = []shenbao.Repair{}
	if rep.Edition.ID == shenbao.EditionUnknown {
		closest := ""
		if len(rep.Edition.Candidates) > 0 {
			closest = rep.Edition.Candidates[0].ID
		}
		rep.Findings = append(rep.Findings, shenbao.Finding{
			Kind: shenbao.KindUnknownEdition, Rule: "edition.unknown", Severity: shenbao.SeverityWarning,
			FieldIDs: []string{},
			Message:  fmt.Sprintf("未能识别申报表版本（最接近：%s，得分 %.2f），未按任何模板读取，请人工核对。", closest, rep.Edition.Confidence),
			Basis:    "版本识别",
		})
		return
	}
	t, _ := e.Templates.Get(rep.Edition.ID)
	m := layout.Map(content, t)
	// layout maps; the corrections stage alone changes what OCR read;
	// corroboration then makes sure what the application itself bears
	// out (never a repaired value).
	rep.Repairs = correct.Apply(m, t)
	corroborate.Apply(m.Fields, rep.Repairs, t)
	rep.Fields, rep.Checkboxes, rep.Texts = m.Fields, m.Checkboxes, m.Texts
}

// Findings returns the findings extraction itself makes on rep: an unknown
// edition, and values read with low confidence. A re-check after a
// reviewer's correction recomputes them from the corrected report.
func (e *Extractor) Findings(rep *shenbao.Report) []shenbao.Finding {
	var out []shenbao.Finding
	for _, f := range rep.Findings {
		if f.Kind == shenbao.KindUnknownEdition {
			out = append(out, f)
		}
	}
	return append(out, e.LowConfidence(rep)...)
}

// LowConfidence lists what the machine is unsure of, so reviewers look
// exactly there.
func (e *Extractor) LowConfidence(rep *shenbao.Report) []shenbao.Finding {
	var out []shenbao.Finding
	for _, f := range rep.Fields {
		if f.Confidence < e.ReviewThreshold {
			msg := fmt.Sprintf("“%s”%s 读取置信度 %.2f，读得“%s”，请核对原件。", f.Label, colSuffix(f.Column), f.Confidence, f.Value)
			if f.Confidence == 0 {
				msg = fmt.Sprintf("未能在文件中找到“%s”%s，请核对原件。", f.Label, colSuffix(f.Column))
			}
			out = append(out, shenbao.Finding{
				Kind: shenbao.KindLowConfidence, Rule: "extract.low_confidence", Severity: shenbao.SeverityWarning,
				FieldIDs: []string{f.ID}, Section: f.Section, Label: f.Label, Column: f.Column,
				Message: msg, Basis: "识别置信度", Page: f.Page, BBox: f.BBox,
			})
		}
	}
	for _, c := range rep.Checkboxes {
		if c.Confidence < e.ReviewThreshold {
			out = append(out, shenbao.Finding{
				Kind: shenbao.KindLowConfidence, Rule: "extract.low_confidence", Severity: shenbao.SeverityWarning,
				FieldIDs: []string{c.ID}, Section: c.Section, Label: c.Group, Column: c.Option,
				Message: fmt.Sprintf("“%s”选项“%s”的勾选状态无法确定（置信度 %.2f），请核对原件。", c.Group, c.Option, c.Confidence),
				Basis:   "识别置信度", Page: c.Page, BBox: c.BBox,
			})
		}
	}
	return out
}

func colSuffix(col string) string {
	if col == "" {
		return ""
	}
	return "（" + col + "）"
}
