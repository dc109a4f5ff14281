package extract_test

import (
	"os"
	"testing"

	"github.com/shenbao/shenbao/extract/child"
)

func TestMain(m *testing.M) {
	// Scans run their C code in a re-executed copy of this test binary.
	child.Main()
	os.Exit(m.Run())
}
