package pipeline_test

import (
	"os"
	"testing"

	"github.com/shenbao/shenbao/extract/child"
)

// Scans (SHENBAO_SCANS=1) run their C code in a re-executed copy of this
// test binary: TestMain turns it into the job when it was started as one.
func TestMain(m *testing.M) {
	child.Main()
	os.Exit(m.Run())
}
