//go:build cgo

package render_test

import (
	"context"
	"fmt"
	"os"

	"github.com/shenbao/shenbao/extract/render"
)

// Rendering every page of a scanned application at the resolution it was
// scanned at. PagesGray renders several pages at one dpi in one child
// process; here each page may have its own. A program doing this calls
// child.Main first thing in main.
func ExampleDoc_PagesGray() {
	pdf, err := os.ReadFile("testdata/scan2.pdf")
	if err != nil {
		panic(err)
	}
	doc, err := render.Options{}.Open(pdf) // rejects empty, oversized and non-PDF input
	if err != nil {
		panic(err)
	}
	defer doc.Close()
	ctx := context.Background()
	info, err := doc.Info(ctx) // encrypted → EENCRYPTED, 5,000 pages → ETOOLARGE, …
	if err != nil {
		panic(err)
	}
	for i, p := range info.Pages {
		dpi := max(p.Paper.DPI, 200) // a 150 dpi scan is enlarged for OCR
		imgs, err := doc.PagesGray(ctx, []int{i + 1}, dpi)
		if err != nil {
			panic(err)
		}
		fmt.Printf("page %d: scanned at %g dpi, text layer %v, %v\n", i+1, p.Paper.DPI, p.HasText(), imgs[0].Bounds().Size())
	}
	// Output:
	// page 1: scanned at 200 dpi, text layer false, (1654,2339)
	// page 2: scanned at 300 dpi, text layer false, (2481,3508)
}
