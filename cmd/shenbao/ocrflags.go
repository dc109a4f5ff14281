package main

import (
	"context"
	"flag"
	"os"
	"time"

	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/scanpdf"
)

// ocrFlags choose who reads a scan's values and where PP-OCR's models are.
type ocrFlags struct {
	engine, models string
	timeout        time.Duration
}

func (o *ocrFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.engine, "ocr", "", "who reads scanned values: tesseract, ppocr or both (default: both where the PP-OCR models are installed)")
	fs.DurationVar(&o.timeout, "scan-timeout", 0, "the longest one scanned document may take (default: 5m for up to 15 pages, 20s more per page past them)")
	fs.StringVar(&o.models, "models", "", "the PP-OCR models folder (default: beside the binary, then "+ocr.ModelsDir+")")
}

// scanOptions checks the choice at start-up — models missing for ppocr or
// both, or damaged wherever they are, is a typed error now, not in a job —
// and returns the scan reader's options. Where PP-OCR will read, its
// models are loaded and run once in a child (ocr.Probe): what the files
// alone cannot tell (a library that is not ONNX Runtime, a model the
// runtime refuses) fails here too; with keep, a probe that passed is not
// run again for the same files (ocr.ProbeKept).
func (o *ocrFlags) scanOptions(ctx context.Context, workers int, keep string) (scanpdf.Options, error) {
	exe, _ := os.Executable()
	eng, dir, err := ocr.ResolveEngine(o.engine, o.models, exe)
	if err != nil {
		return scanpdf.Options{}, err
	}
	if eng != ocr.EngineTesseract {
		if err := ocr.ProbeKept(ctx, dir, exe, keep); err != nil {
			return scanpdf.Options{}, err
		}
	}
	return scanpdf.Options{Workers: workers, Engine: eng, Models: dir, Timeout: o.timeout}, nil
}
