//go:build cgo

package ocr

// #cgo LDFLAGS: -lgomp -ldl
// extern int shenbao_omp_inline(void);
import "C"

// ompInline reports whether this process runs Tesseract's OpenMP regions
// inline (see omp.c): true under OMP_THREAD_LIMIT=1.
func ompInline() bool { return C.shenbao_omp_inline() == 1 }
