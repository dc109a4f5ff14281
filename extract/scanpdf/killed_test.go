//go:build cgo

package scanpdf_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/child/childtest"
	"github.com/shenbao/shenbao/extract/scanpdf"
)

// TestKilledChildLeavesNoCopy kills the scan child from outside while it
// reads (as the OOM killer would), a fresh child and a pool's worker: the
// temporary copy of the upload must not stay behind, and the error must
// say the child was killed.
func TestKilledChildLeavesNoCopy(t *testing.T) {
	pdf, err := os.ReadFile("../../testdata/corpus/gd2023_03_pdf.pdf")
	if err != nil {
		t.Fatal(err)
	}
	for _, pooled := range []bool{false, true} {
		t.Run(map[bool]string{false: "fresh", true: "pool"}[pooled], func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // the parent's temp files, and the child's
			rd := scanpdf.Reader{Opts: scanpdf.Options{Timeout: 2 * time.Minute, Workers: 1}}
			if pooled {
				rd.Pool = child.NewPool(child.PoolOptions{})
				defer rd.Pool.Close()
			}
			done := make(chan error, 1)
			go func() {
				_, err := rd.Read(context.Background(), strings.NewReader(string(pdf)), int64(len(pdf)))
				done <- err
			}()
			// Wait until the copy exists wherever it is made, then kill.
			deadline := time.Now().Add(time.Minute)
			for len(files(t, tmp)) == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			childtest.Kill(t, scanpdf.Job, syscall.SIGKILL)
			err = <-done
			if shenbao.ErrorCode(err) != shenbao.EKILLED {
				t.Errorf("err = %v; want %s", err, shenbao.EKILLED)
			}
			if left := files(t, tmp); len(left) > 0 {
				t.Errorf("the killed scan left %v in the temporary directory", left)
			}
		})
	}
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "shenbao-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
