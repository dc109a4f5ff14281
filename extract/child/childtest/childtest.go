// Package childtest helps tests treat the child processes of
// extract/child as the outside world does: find them and kill them.
package childtest

import (
	"bytes"
	"fmt"
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
	for _, c := range Children() {
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", c.Pid))
		if err != nil || !bytes.Contains(append(append([]byte{0}, env...), 0), []byte("\x00SHENBAO_CHILD="+job+"\x00")) {
			continue
		}
		return c.Pid
	}
	return 0
}

// Child is a running child process of this one.
type Child struct {
	Pid int
	// Stat is /proc/PID/stat's fields after the command's name: state,
	// ppid, … (Stat[11:15] are utime, stime, cutime, cstime in ticks).
	Stat []string
}

// CPU is the child's user and system time so far, its waited-for
// children's included.
func (c Child) CPU() time.Duration {
	var d time.Duration
	for _, v := range c.Stat[min(11, len(c.Stat)):min(15, len(c.Stat))] {
		ticks, _ := strconv.ParseInt(v, 10, 64)
		d += time.Duration(ticks) * time.Second / 100 // USER_HZ
	}
	return d
}

// Children lists this process's children as /proc shows them now.
func Children() []Child {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	me := strconv.Itoa(os.Getpid())
	var out []Child
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
		if len(f) < 2 || f[1] != me {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		out = append(out, Child{Pid: pid, Stat: f})
	}
	return out
}
