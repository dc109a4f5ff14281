//go:build cgo

package ocr

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"testing"
)

// readCells reads the cells of rows.png and returns what was read.
func readCells(t *testing.T) []Result {
	e := testEngine(t, 2)
	var regions []Region
	for _, c := range cells {
		regions = append(regions, Region{Rect: c.rect, Mode: c.mode})
	}
	res, err := e.Page(context.Background(), loadGray(t, "rows.png"), regions)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestOMPInline: under OMP_THREAD_LIMIT=1 Tesseract's parallel regions run
// inline (omp.c), and what they read is what libgomp's own teams read: a
// child process with a limit of 2, where every call goes on to libgomp,
// reads the same cells to the same text, boxes and confidences.
func TestOMPInline(t *testing.T) {
	if os.Getenv("SHENBAO_OMP_CHILD") != "" {
		if ompInline() {
			t.Fatal("regions run inline under OMP_THREAD_LIMIT=2")
		}
		if err := json.NewEncoder(os.Stdout).Encode(readCells(t)); err != nil {
			t.Fatal(err)
		}
		return
	}
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		t.Skip("run under OMP_THREAD_LIMIT=1 (TestMain sets it)")
	}
	if !ompInline() {
		t.Fatal("regions do not run inline under OMP_THREAD_LIMIT=1")
	}
	inline := readCells(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run", "^TestOMPInline$")
	cmd.Env = append(os.Environ(), "SHENBAO_OMP_CHILD=1", "OMP_THREAD_LIMIT=2")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var teams []Result
	if err := json.NewDecoder(bytes.NewReader(out)).Decode(&teams); err != nil {
		t.Fatalf("child output: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(inline, teams) {
		t.Errorf("inline read %+v\nlibgomp's teams read %+v", inline, teams)
	}
}
