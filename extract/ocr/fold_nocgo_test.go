//go:build !cgo

package ocr

import "testing"

func evalModel(*testing.T, []byte, []float32, []int64) ([]float32, bool) { return nil, false }

func measuredRanges(*testing.T, []byte, []float32, []int64, []string) (map[string]qrange, bool) {
	return nil, false
}
