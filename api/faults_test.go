package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

// killedRenderer answers every page as a render child killed by the OOM
// killer would (extract/child.TestKilledFromOutside makes that error with
// a real kill).
type killedRenderer struct{}

func (killedRenderer) PagePNG(context.Context, string, []byte, int, float64) ([]byte, error) {
	return nil, shenbao.Wrap(shenbao.EKILLED, fmt.Errorf("child render: killed by signal killed"), "处理进程被系统终止（信号 SIGKILL）/ killed (signal SIGKILL)")
}

// TestFaults: a full disk while spooling an upload is 507 logged at ERROR,
// not 422 "malformed" at INFO; a child killed from outside is 503 logged
// at WARN; both are counted in shenbao_faults_total.
func TestFaults(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs as the full disk")
	}
	full := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(full, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", full, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(full, 0) })
	var logs bytes.Buffer
	var metrics *api.Metrics
	e := newEnv(t, store.Config{DataDir: t.TempDir()}, realPipeline(t), func(c *api.Config, _ *queue.Config) {
		c.TempDir = full
		c.Renderer = killedRenderer{}
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		metrics = c.Metrics
	})

	status, body := e.upload("clerk", []file{{"big.pdf", append([]byte("%PDF-1.7\n"), make([]byte, 256<<10)...)}}, nil)
	if status != http.StatusInsufficientStorage || !strings.Contains(string(body), shenbao.ENOSPACE) {
		t.Errorf("upload onto a full disk: %d %s; want 507 %s", status, body, shenbao.ENOSPACE)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "no space left") {
		t.Errorf("full disk not logged at ERROR with its cause:\n%s", logs.String())
	}

	logs.Reset()
	id := e.mustUpload("clerk", []file{{"a.pdf", []byte("%PDF-1.7\ntrailer << >>\n%%EOF\n")}}, nil)[0].ID
	status, body = e.do("GET", fmt.Sprintf("%s/applications/%d/pages/1.png", api.Prefix, id), "clerk", nil, "")
	if status != http.StatusServiceUnavailable || strings.Contains(string(body), "crashed") {
		t.Errorf("page from a killed child: %d %s; want 503", status, body)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "signal") {
		t.Errorf("killed child not logged at WARN with its signal:\n%s", logs.String())
	}

	for code, want := range map[string]float64{shenbao.ENOSPACE: 1, shenbao.EKILLED: 1} {
		if got := counter(t, metrics, "shenbao_faults_total", code); got != want {
			t.Errorf("shenbao_faults_total{code=%q} = %v, want %v", code, got, want)
		}
	}
}

// counter reads the value of metric name with label code.
func counter(t *testing.T, m *api.Metrics, name, code string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "code" && l.GetValue() == code {
					return mt.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}
