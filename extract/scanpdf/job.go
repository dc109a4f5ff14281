//go:build cgo

package scanpdf

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"

	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/extract/scan"
)

func init() { child.RegisterSession(Job, func() child.Session { return &session{} }) }

// session is a scan child's engines, kept from one document to the next
// when the child is a pool's worker: loading Tesseract's clients and the
// recogniser costs over a second of CPU, more than a page's reading.
// Tesseract's recognition keeps nothing of one read for the next (the LSTM
// engine, no adaptive classifier) and the recogniser is a pure function of
// its input, so a document reads the same in a warm worker as in a fresh one.
type session struct {
	eng     *ocr.Engine
	clients int
	wit     *ocr.PPOCR
	witKey  witKey
}

// witKey is what a recogniser was loaded for.
type witKey struct {
	engine, models string
	runs           int
}

// Close releases the engines.
func (s *session) Close() error {
	if s.wit != nil {
		s.wit.Close()
		s.wit = nil
	}
	if s.eng != nil {
		s.eng.Close()
		s.eng = nil
	}
	return nil
}

// engines returns the engines req asks for, loading what the session does
// not hold yet. The value recogniser loads beside Tesseract's clients: a
// quarter of a second on one core while they load on the others.
func (s *session) engines(req request) (*ocr.Engine, *ocr.PPOCR, error) {
	key := witKey{req.Engine, req.Models, req.Workers}
	if s.wit != nil && s.witKey != key {
		s.wit.Close()
		s.wit = nil
	}
	if s.eng != nil && s.clients != req.Workers {
		s.eng.Close()
		s.eng = nil
	}
	var witErr error
	witDone := make(chan struct{})
	if s.wit == nil {
		go func() {
			defer close(witDone)
			s.wit, witErr = witness(req)
			s.witKey = key
		}()
	} else {
		close(witDone)
	}
	var err error
	if s.eng == nil {
		s.eng, err = ocr.New(ocr.Options{Clients: req.Workers})
		s.clients = req.Workers
	}
	<-witDone
	if err == nil {
		err = witErr
	}
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s.eng, s.wit, nil
}

// Run reads one document: render every page, OCR, assemble.
func (s *session) Run(ctx context.Context, in io.Reader, out io.Writer) error {
	head, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return fmt.Errorf("scan request: %w", err)
	}
	var req request
	if err := json.Unmarshal(head, &req); err != nil {
		return fmt.Errorf("scan request: %w", err)
	}
	// The parent named the copy with no extension: MuPDF tells a PDF from an
	// image file by content.
	doc, err := render.OpenLocal(req.Path, render.Options{MaxPages: req.MaxPages})
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
	eng, wit, err := s.engines(req)
	if err != nil {
		return err
	}
	render := func(i int) (image.Image, error) {
		// Colour, so that red seals can be told from ink (gray when the
		// page's images hold none, Paper.Gray); a scanned page
		// at req.DPI over its sheet, whatever page size the file declares,
		// so the scan reads its pixels and its boxes are on the sheet.
		img, _, err := doc.Sheet(i+1, req.DPI)
		if err != nil {
			return nil, fmt.Errorf("render page %d: %w", i+1, err)
		}
		return img, nil
	}
	c, err := scan.ReadPages(ctx, doc.Pages(), render, req.DPI, scan.Options{OCR: eng, Workers: req.Workers, WorkDPI: req.DPI, Forms: req.Forms, Witness: lineReader(wit), Engine: req.Engine})
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(c)
}

// witness loads the value recogniser the request asks for: one session
// for the whole document, as many runs at once as OCR workers.
func witness(req request) (*ocr.PPOCR, error) {
	if req.Engine != ocr.EnginePPOCR && req.Engine != ocr.EngineBoth {
		return nil, nil
	}
	m, err := ocr.LoadModels(req.Models)
	if err != nil {
		return nil, err
	}
	return ocr.NewPPOCR(m, ocr.PPOCROptions{Runs: req.Workers})
}

// lineReader keeps a nil recogniser a nil interface.
func lineReader(p *ocr.PPOCR) scan.LineReader {
	if p == nil {
		return nil
	}
	return p
}
