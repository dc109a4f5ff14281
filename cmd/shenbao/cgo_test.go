//go:build cgo

package main

// ppocrInBuild: this build can run PP-OCR (ONNX Runtime through cgo).
const ppocrInBuild = true
