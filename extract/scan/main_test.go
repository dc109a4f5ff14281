package scan_test

import (
	"os"
	"syscall"
	"testing"
)

// TestMain re-executes the test binary with OMP_THREAD_LIMIT=1 (see
// ocr.ThreadLimitEnv): libgomp reads it only at process start, and without
// it Tesseract's OpenMP workers fight the page-parallel pool for the cores.
func TestMain(m *testing.M) {
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		if exe, err := os.Executable(); err == nil {
			_ = syscall.Exec(exe, os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
		}
	}
	os.Exit(m.Run())
}
