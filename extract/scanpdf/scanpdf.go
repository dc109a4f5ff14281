// Package scanpdf reads an image-only (scanned) PDF, or an image file
// (JPEG, PNG, TIFF of one page or many): in a child process
// (extract/child), MuPDF renders every page (extract/render), Tesseract
// reads the cells (extract/ocr) and extract/scan assembles the tables. All
// the C code of a scan runs in that child, so a document that crashes
// MuPDF or Tesseract costs that document, never the caller. With a
// child.Pool (Reader.Pool) the child is a warm worker that keeps its
// engines for the next document.
package scanpdf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/filetype"
	"github.com/shenbao/shenbao/extract/scan"
)

// Job is the child job's name.
const Job = "scan-pdf"

// Options bound one document's scan.
type Options struct {
	// Timeout for the whole document; 0 is BaseTimeout plus PageTimeout
	// for every page past BasePages, as the file declares its pages (see
	// Budget): a 40-page scan on a loaded machine needs more than a
	// 14-page one.
	Timeout time.Duration
	// Memory for the child's address space beyond start-up; default 1.5 GB.
	Memory int64
	// DPI pages are rendered at; default 200 (what OCR needs of body text).
	DPI float64
	// MaxPages refuses longer documents; default 60.
	MaxPages int
	// Workers is the OCR parallelism in the child; default: all cores.
	Workers int
	// Forms are what the form editions print (scan.Options.Forms).
	Forms []scan.Form
	// Engine reads the values: ocr.EngineTesseract, EnginePPOCR or
	// EngineBoth; "" is Tesseract alone. The PP-OCR engines need Models,
	// the folder LoadModels checked.
	Engine string
	Models string
}

// The time budget of a document when Options.Timeout is 0.
const (
	BaseTimeout = 5 * time.Minute
	BasePages   = 15
	PageTimeout = 20 * time.Second
)

// Budget is the time a document of pages pages may take when no timeout is
// set: BaseTimeout covers BasePages, each page past them adds PageTimeout.
// pages is what the file declares, at most MaxPages (a larger document is
// refused anyway), so a file claiming more pages buys no more than that.
func (o Options) Budget(pages int) time.Duration {
	o = o.withDefaults()
	if o.Timeout > 0 {
		return o.Timeout
	}
	extra := min(pages, o.MaxPages) - BasePages
	return BaseTimeout + time.Duration(max(extra, 0))*PageTimeout
}

func (o Options) withDefaults() Options {
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

// workers is Workers, or the number of CPUs.
func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.NumCPU()
}

// request is what the parent sends the child: the options as JSON on one
// line. The PDF is in the file at Path, which the parent writes and
// removes (child.TempFile), so that a killed child leaves nothing behind.
type request struct {
	Path     string      `json:"path"`
	DPI      float64     `json:"dpi"`
	MaxPages int         `json:"max_pages"`
	Workers  int         `json:"workers"`
	Forms    []scan.Form `json:"forms,omitempty"`
	Engine   string      `json:"engine,omitempty"`
	Models   string      `json:"models,omitempty"`
}

// declaredPages is how many pages data says it holds, read without
// parsing it (the parent runs no C code and no PDF parser on a scan): the
// pages of an image file from its headers, and for a PDF the largest
// /Count of its page tree nodes, which is the root's. A PDF whose page tree
// sits in compressed object streams shows no /Count: 0, and the base
// budget. The figure only sizes the time budget; MuPDF counts the pages.
func declaredPages(data []byte) int {
	switch k := filetype.Detect(data[:min(len(data), filetype.HeadLen)]); k {
	case filetype.JPEG, filetype.PNG, filetype.TIFF:
		sizes, err := filetype.Images(k, bytes.NewReader(data), int64(len(data)), filetype.Limits{})
		if err != nil {
			return 0
		}
		return len(sizes)
	}
	n := 0
	for _, m := range countRE.FindAllSubmatch(data, -1) {
		if c, err := strconv.Atoi(string(m[1])); err == nil {
			n = max(n, c)
		}
	}
	return n
}

var countRE = regexp.MustCompile(`/Count\s+(\d{1,6})\b`)

// Reader reads scanned PDFs with the given options.
type Reader struct {
	Opts Options
	// Pool, when set, reads in its warm workers (child.Pool), which keep
	// their engines from one document to the next; nil starts a child
	// for every document.
	Pool *child.Pool
}

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
	head, _ := json.Marshal(request{Path: path, DPI: o.DPI, MaxPages: o.MaxPages, Workers: o.Workers, Forms: o.Forms, Engine: o.Engine, Models: o.Models})
	run := child.Run
	if rd.Pool != nil {
		run = func(ctx context.Context, name string, in []byte, lim child.Limits) ([]byte, error) {
			return rd.Pool.Run(ctx, name, in, lim)
		}
	}
	out, err := run(ctx, Job, append(head, '\n'), child.Limits{
		Timeout: o.Budget(declaredPages(data)), Memory: o.Memory, Output: 256 << 20,
		// As many threads for Go as pages read at once: a page's own
		// work (binarising, finding rules, PP-OCR's scaling and
		// decoding) is Go, and with one thread two pages' Go work
		// queued behind each other while a core stood idle.
		Procs: o.workers(),
		// One thread per Tesseract client: the pool is the parallelism.
		Env: []string{"OMP_THREAD_LIMIT=1"},
		// Batch work: uploads and the review pages go first (nice 10).
		Nice:  10,
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
