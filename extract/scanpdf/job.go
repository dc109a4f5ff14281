//go:build cgo

package scanpdf

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"os"

	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/extract/scan"
)

func init() { child.Register(Job, job) }

// job runs in the child: render every page, OCR, assemble.
func job(ctx context.Context, in io.Reader, out io.Writer) error {
	br := bufio.NewReader(in)
	head, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("scan request: %w", err)
	}
	var req request
	if err := json.Unmarshal(head, &req); err != nil {
		return fmt.Errorf("scan request: %w", err)
	}
	// No extension: MuPDF tells a PDF from an image file by content.
	f, err := os.CreateTemp("", "shenbao-scan-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, br); err != nil {
		f.Close()
		return err
	}
	f.Close()
	doc, err := render.OpenLocal(f.Name(), render.Options{MaxPages: req.MaxPages})
	if err != nil {
		return err
	}
	defer doc.Close()
	// Every page's sheet first: a page too large at its own pixels, or
	// too coarse to read, fails the document before any OCR is spent.
	for i := range doc.Pages() {
		if _, err := doc.Paper(i + 1); err != nil {
			return err
		}
	}
	eng, err := ocr.New(ocr.Options{Clients: req.Workers})
	if err != nil {
		return err
	}
	defer eng.Close()
	render := func(i int) (image.Image, error) {
		// Colour, so that red seals can be told from ink; a scanned page
		// at req.DPI over its sheet, whatever page size the file declares,
		// so the scan reads its pixels and its boxes are on the sheet.
		img, _, err := doc.Sheet(i+1, req.DPI)
		if err != nil {
			return nil, fmt.Errorf("render page %d: %w", i+1, err)
		}
		return img, nil
	}
	c, err := scan.ReadPages(ctx, doc.Pages(), render, req.DPI, scan.Options{OCR: eng, Workers: req.Workers, WorkDPI: req.DPI, Print: req.Print})
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(c)
}
