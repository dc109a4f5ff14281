//go:build !cgo

package extract_test

// scansBuilt: a build without cgo has no MuPDF or Tesseract; a scan gets
// a not-installed error from it.
const scansBuilt = false
