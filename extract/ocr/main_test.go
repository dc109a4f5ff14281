package ocr

import (
	"os"
	"syscall"
	"testing"
)

// TestMain re-executes the test binary with ThreadLimitEnv, which libgomp
// reads only at process start.
func TestMain(m *testing.M) {
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		if exe, err := os.Executable(); err == nil {
			_ = syscall.Exec(exe, os.Args, append(os.Environ(), ThreadLimitEnv))
		}
	}
	os.Exit(m.Run())
}
