package render_test

import (
	"os"
	"testing"

	"github.com/shenbao/shenbao/extract/child"
)

// The tests' child processes are this test binary: TestMain turns it into
// the job when it was started as a child.
func TestMain(m *testing.M) {
	child.Main()
	os.Exit(m.Run())
}
