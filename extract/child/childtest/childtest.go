// Package childtest helps tests treat the child processes of
// extract/child as the outside world does: find them and kill them.
package childtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Kill waits (up to a minute) until this process runs a child for job,
// then sends it sig, as the kernel's OOM killer or an administrator would.
func Kill(t testing.TB, job string, sig syscall.Signal) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if pid := find(job); pid > 0 {
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatalf("kill child %d: %v", pid, err)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no child running job %s", job)
}

// find returns the id of a child of this process started for job, or 0.
func find(job string) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	me := os.Getpid()
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid != me {
			continue
		}
		dir := filepath.Dir(p)
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !bytes.Contains(append(append([]byte{0}, env...), 0), []byte("\x00SHENBAO_CHILD="+job+"\x00")) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(dir))
		return pid
	}
	return 0
}
