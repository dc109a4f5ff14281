//go:build cgo

package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

// TestServeWarmScans: scans uploaded one after another to serve with one
// worker are read by one warm scan worker, as the metrics count it.
func TestServeWarmScans(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of three pages")
	}
	metricsAddr := freeAddr(t)
	env := map[string]string{"SHENBAO_DATA_DIR": t.TempDir(), "SHENBAO_PASSWORD": "a-long-secret-1", "SHENBAO_WORKERS": "1", "SHENBAO_METRICS_ADDR": metricsAddr}
	token := adminToken(t, env)
	m := startServe(t, env)
	base := "http://" + m.addr + "/api/v1"
	for k, name := range []string{"form_g4_96dpi.pdf", "form_g4_2p.tif"} {
		data, err := os.ReadFile("../../testdata/scan/" + name)
		if err != nil {
			t.Fatal(err)
		}
		upload(t, base, token, name, data)
		if rep := waitDone(t, base, token, k+1); rep.Format != shenbao.FormatPDFScan {
			t.Fatalf("%s read as %s", name, rep.Format)
		}
	}
	res, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "\nshenbao_scan_workers_started_total 1\n") {
		t.Errorf("two scans one after another: want one scan worker started; metrics:\n%s", grepLines(string(body), "shenbao_scan_workers"))
	}
}

// grepLines is the lines of s containing sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
