package main

import "github.com/shenbao/shenbao/extract"

// configurePDF sets the PDF engines: the text layer first, then OCR.
func configurePDF(ex *extract.Extractor) {}
