//go:build cgo

package extract_test

// scansBuilt: this build reads scans (MuPDF, Tesseract through cgo).
const scansBuilt = true
