package ocr

import (
	"os"
	"syscall"
	"testing"

	"github.com/shenbao/shenbao/extract/child"
)

// TestMain re-executes the test binary with ThreadLimitEnv, which libgomp
// reads only at process start; a child started by a test (Probe) runs its
// job.
func TestMain(m *testing.M) {
	child.Main()
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		if exe, err := os.Executable(); err == nil {
			_ = syscall.Exec(exe, os.Args, append(os.Environ(), ThreadLimitEnv))
		}
	}
	os.Exit(m.Run())
}
