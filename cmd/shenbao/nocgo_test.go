//go:build !cgo

package main

// ppocrInBuild: a build without cgo reads scans with Tesseract alone and
// never opens the models folder unless PP-OCR is asked for.
const ppocrInBuild = false
