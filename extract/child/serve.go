package child

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/shenbao/shenbao"
)

// The worker protocol (a Pool's child, started with envServe=1). The parent
// writes each request to the worker's stdin as one frame: its length as four
// bytes, big-endian, then its bytes. The worker writes the job's output to
// stdout as frames of the same form, a frame of length zero ending it, and
// then the request's status record, one JSON line, on statusFD. It reads
// the next request after that, and exits 0 when stdin ends.
//
// The output is streamed, not gathered, so that the parent's cap on it
// (Limits.Output) holds as for a single run: a job that writes without end
// is killed when the cap passes, not after it has filled the worker's memory.

// idleFree is how long a worker waits for its next request before it
// returns its free memory to the system.
const idleFree = time.Second

// maxRequest bounds a request frame. Requests are small (a job's options;
// documents travel as temporary files).
const maxRequest = 16 << 20

// errFrameSize is readFrame's error for a frame over its bound.
var errFrameSize = errors.New("frame over its bound")

func writeFrame(w io.Writer, p []byte) error {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(p)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	_, err := w.Write(p)
	return err
}

// readFrame reads one frame of at most max bytes; io.EOF when r ended
// before it began.
func readFrame(r io.Reader, max int) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if int64(size) > int64(max) {
		return nil, fmt.Errorf("frame of %d bytes, over %d: %w", size, max, errFrameSize)
	}
	p := make([]byte, size)
	if _, err := io.ReadFull(r, p); err != nil {
		return nil, fmt.Errorf("frame: %w", io.ErrUnexpectedEOF)
	}
	return p, nil
}

// maxFrame bounds an output frame: the parent allocates a frame before it
// reads it, so a worker's frames are small whatever it writes at once.
const maxFrame = 1 << 20

// frameWriter writes what is written to it as output frames of at most
// maxFrame bytes. A zero-length Write would end the output early, so it
// writes nothing.
type frameWriter struct{ w *bufio.Writer }

func (f frameWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), maxFrame)
		if err := writeFrame(f.w, p[:k]); err != nil {
			return n, err
		}
		n, p = n+k, p[k:]
	}
	return n, nil
}

// serve is a worker's life: run requests through sess until stdin ends.
func serve(sess Session, statusFile *os.File) int {
	in := bufio.NewReaderSize(os.Stdin, 64<<10)
	stdout := bufio.NewWriterSize(os.Stdout, 64<<10)
	for {
		// A worker waiting for work gives the Go heap its last request
		// left back to the system: an idle scan worker held 550–620 MB,
		// on a server beside the others. Back-to-back requests never
		// wait that long, and pay nothing.
		idle := time.AfterFunc(idleFree, debug.FreeOSMemory)
		req, err := readFrame(in, maxRequest)
		idle.Stop()
		if errors.Is(err, io.EOF) {
			if err := sess.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "child: close session:", err)
			}
			return 0
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: read request:", err)
			return 2
		}
		// Each request's peak, not the worker's: writing 5 resets VmHWM
		// (Linux 4.0 on); where it cannot, the figure is the worker's.
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		u0, s0 := cpuSelf()
		out := bufio.NewWriterSize(frameWriter{stdout}, 1<<20)
		err = sess.Run(context.Background(), bytes.NewReader(req), out)
		if err == nil {
			err = out.Flush()
		}
		// The end of the output, then the status: the parent reads them in
		// that order.
		if werr := errors.Join(writeFrame(stdout, nil), stdout.Flush()); werr != nil {
			fmt.Fprintln(os.Stderr, "child: write output:", werr)
			return 2
		}
		st := status{OK: err == nil}
		if err != nil {
			st = status{Code: shenbao.ErrorCode(err), Message: shenbao.ErrorMessage(err), Detail: detail(err)}
		}
		u1, s1 := cpuSelf()
		st.User, st.Sys = int64(u1-u0), int64(s1-s0)
		st.PeakRSS, st.RSS = peakRSS(), procStatus("VmRSS:")
		if err := json.NewEncoder(statusFile).Encode(st); err != nil {
			fmt.Fprintln(os.Stderr, "child: write status:", err)
			return 2
		}
	}
}

// cpuSelf is this process's user and system time so far.
func cpuSelf() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
