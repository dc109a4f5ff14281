//go:build cgo

package ocr

import (
	"syscall"
	"testing"
)

// BenchmarkStart is what the scan child pays for its Tesseract clients
// before it reads a page, once per document: one client of each model
// (model load and Init), and the engine of two clients of each (New). It
// reports the process's CPU time per op beside the wall time, which on a
// loaded machine measures the load. Of a client's Init, Tesseract 5.0.3
// spends about 60 % loading its built-in universal ambiguities
// (UnicharAmbigs::LoadUniversal, whatever the engine mode) and 12 %
// setting up the legacy adaptive classifier; the LSTM model itself is
// about a tenth.
//
//	go test ./extract/ocr -run '^$' -bench Start -benchtime 5x
func BenchmarkStart(b *testing.B) {
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"client/main", func() error { return closeAfter(newClient(Options{}, Options{}.languages())) }},
		{"client/digits", func() error { return closeAfter(newClient(Options{}, Options{}.digitLanguages())) }},
		{"engine", func() error {
			e, err := New(Options{Clients: 2})
			if err == nil {
				e.Close()
			}
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var ru0, ru1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Skip(err)
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

func closeAfter(cl *client, err error) error {
	if err == nil {
		cl.c.Close()
	}
	return err
}
