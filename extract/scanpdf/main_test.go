package scanpdf_test

import (
	"os"
	"testing"

	"github.com/shenbao/shenbao/extract/child"
)

// The scans' child processes are this test binary.
func TestMain(m *testing.M) {
	child.Main()
	os.Exit(m.Run())
}
