package api

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// BenchmarkCheckDOCX is the upload's docx check of a real application, a
// part of every Word upload's CPU time (BenchmarkLoad).
func BenchmarkCheckDOCX(b *testing.B) {
	data, err := os.ReadFile("testdata/nat2024_01.docx")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := checkDOCX(context.Background(), "a.docx", bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}
