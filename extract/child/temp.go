package child

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// tempPrefix starts the name of every temporary file made by TempFile; the
// creating process's id follows, so that SweepTemp can tell a file whose
// owner died from one in use.
const tempPrefix = "shenbao-tmp-"

// TempFile writes data to a new file, mode 0600, in the temporary directory
// and returns its path, for a child to open. The parent makes and removes
// such files, never the child: a child killed by its time limit, the memory
// limit or the OOM killer runs no deferred removal, and would leave every
// applicant's document it was reading behind in /tmp. kind (e.g. "scan")
// and ext (".pdf") are for people reading the directory.
func TempFile(kind, ext string, data []byte) (string, error) {
	f, err := os.CreateTemp("", fmt.Sprintf("%s%d-%s-*%s", tempPrefix, os.Getpid(), kind, ext))
	if err != nil {
		return "", fmt.Errorf("temp file: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write temp file: %w", err)
	}
	return f.Name(), nil
}

// staleAfter is the age past which a temporary file is removed even if a
// process with its creator's id runs: no job runs that long, and process
// ids are reused (in a container every start may be pid 1).
const staleAfter = 24 * time.Hour

// legacyPatterns are the temporary files of releases before TempFile, which
// carry no process id: removed once older than legacyAfter, longer than
// any job's time limit.
var legacyPatterns = []string{"shenbao-scan-*.pdf"}

const legacyAfter = time.Hour

// SweepTemp removes the temporary files that processes which died (a
// SIGKILL, a crash, a power cut) left in the temporary directory, and
// returns how many. serve and worker call it at start.
func SweepTemp() (int, error) {
	dir := os.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("sweep %s: %w", dir, err)
	}
	now := time.Now()
	n := 0
	var errs []error
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		age := now.Sub(info.ModTime())
		if !stale(e.Name(), age) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func stale(name string, age time.Duration) bool {
	if rest, ok := strings.CutPrefix(name, tempPrefix); ok {
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 {
			return false
		}
		return age > staleAfter || !alive(pid)
	}
	for _, p := range legacyPatterns {
		if ok, _ := filepath.Match(p, name); ok {
			return age > legacyAfter
		}
	}
	return false
}

// alive reports whether a process with id pid exists (EPERM: it does, as
// another user's).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
