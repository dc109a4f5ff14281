// Package scanpdf reads an image-only (scanned) PDF, or an image file
// (JPEG, PNG, TIFF of one page or many): in a child process
// (extract/child), MuPDF renders every page (extract/render), Tesseract
// reads the cells (extract/ocr) and extract/scan assembles the tables. All
// the C code of a scan runs in that child, so a document that crashes
// MuPDF or Tesseract costs that document, never the caller.
package scanpdf

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

// Job is the child job's name.
const Job = "scan-pdf"

// Options bound one document's scan.
type Options struct {
	// Timeout for the whole document; default 5 minutes.
	Timeout time.Duration
	// Memory for the child's address space beyond start-up; default 1.5 GB.
	Memory int64
	// DPI pages are rendered at; default 200 (what OCR needs of body text).
	DPI float64
	// MaxPages refuses longer documents; default 60.
	MaxPages int
	// Workers is the OCR parallelism in the child; default: all cores.
	Workers int
	// Print is what the forms print in their cells (scan.Options.Print).
	Print []string
	// Engine reads the values: ocr.EngineTesseract, EnginePPOCR or
	// EngineBoth; "" is Tesseract alone. The PP-OCR engines need Models,
	// the folder LoadModels checked.
	Engine string
	Models string
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.Memory <= 0 {
		o.Memory = 1536 << 20
	}
	if o.DPI <= 0 {
		o.DPI = 200
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 60
	}
	return o
}

// request is what the parent sends the child: the options as JSON on one
// line. The PDF is in the file at Path, which the parent writes and
// removes (child.TempFile), so that a killed child leaves nothing behind.
type request struct {
	Path     string   `json:"path"`
	DPI      float64  `json:"dpi"`
	MaxPages int      `json:"max_pages"`
	Workers  int      `json:"workers"`
	Print    []string `json:"print,omitempty"`
	Engine   string   `json:"engine,omitempty"`
	Models   string   `json:"models,omitempty"`
}

// Reader reads scanned PDFs with the given options.
type Reader struct{ Opts Options }

// Read scans the PDF or image file in r in a child process. Each page is
// read at DPI over the sheet it shows (render.Local.Sheet): a scan's own
// pixels decide, not the page size its file declares.
func (rd Reader) Read(ctx context.Context, r io.ReaderAt, size int64) (*shenbao.Content, error) {
	o := rd.Opts.withDefaults()
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("read pdf: %w", err)
	}
	path, err := child.TempFile("scan", "", data)
	if err != nil {
		return nil, shenbao.Wrap(shenbao.EINTERNAL, fmt.Errorf("scan: %w", err), "内部错误：无法准备文件，请联系管理员。/ Internal error: the document could not be prepared; please contact the administrator.")
	}
	defer os.Remove(path)
	head, _ := json.Marshal(request{Path: path, DPI: o.DPI, MaxPages: o.MaxPages, Workers: o.Workers, Print: o.Print, Engine: o.Engine, Models: o.Models})
	out, err := child.Run(ctx, Job, append(head, '\n'), child.Limits{
		Timeout: o.Timeout, Memory: o.Memory, Output: 256 << 20,
		// One thread per Tesseract client: the pool is the parallelism.
		Env:   []string{"OMP_THREAD_LIMIT=1"},
		Stage: "扫描件识别（渲染与 OCR）/ reading a scan (rendering and OCR)",
	})
	if err != nil {
		return nil, err
	}
	var c shenbao.Content
	if err := json.Unmarshal(out, &c); err != nil {
		return nil, fmt.Errorf("scan result: %w", err)
	}
	return &c, nil
}
