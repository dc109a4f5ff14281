package child

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadFrame: whatever a worker writes, the parent's frame reader
// returns a frame of at most its bound or an error, never panics, and
// reads back what writeFrame wrote.
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{0, 0, 0, 3, 'a', 'b', 'c'}, 8)
	f.Add([]byte{0, 0, 0, 0}, 0)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1}, 1<<20)
	f.Add([]byte{0, 0}, 4)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		if max < 0 || max > 1<<20 {
			return
		}
		r := bytes.NewReader(data)
		for {
			p, err := readFrame(r, max)
			if err != nil {
				if p != nil {
					t.Fatalf("frame %q returned with error %v", p, err)
				}
				break
			}
			if len(p) > max {
				t.Fatalf("frame of %d bytes over the bound %d", len(p), max)
			}
		}
		if len(data) > max {
			return
		}
		var buf bytes.Buffer
		if err := writeFrame(&buf, data); err != nil {
			t.Fatal(err)
		}
		got, err := readFrame(&buf, max)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("round trip of %d bytes: %d bytes, %v", len(data), len(got), err)
		}
		if _, err := readFrame(&buf, max); !errors.Is(err, io.EOF) {
			t.Fatalf("after the frame: %v, want io.EOF", err)
		}
	})
}
