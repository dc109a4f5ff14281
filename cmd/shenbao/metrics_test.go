package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeMetrics: serve answers /metrics on its own address only to the
// token from SHENBAO_METRICS_TOKEN, and to anyone on SHENBAO_METRICS_ADDR
// (issue 22 item 4).
func TestServeMetrics(t *testing.T) {
	metricsAddr := freeAddr(t)
	env := map[string]string{"SHENBAO_DATA_DIR": t.TempDir(), "SHENBAO_METRICS_ADDR": metricsAddr, "SHENBAO_METRICS_TOKEN": "scrape-token", "SHENBAO_WORKERS": "0"}
	m := startServe(t, env)
	for _, tc := range []struct {
		url, token string
		want       int
	}{
		{"http://" + m.addr + "/metrics", "", http.StatusUnauthorized},
		{"http://" + m.addr + "/metrics", "wrong", http.StatusUnauthorized},
		{"http://" + m.addr + "/metrics", "scrape-token", http.StatusOK},
		{"http://" + metricsAddr + "/metrics", "", http.StatusOK},
		{"http://" + metricsAddr + "/api/v1/me", "", http.StatusNotFound},
	} {
		req, _ := http.NewRequest("GET", tc.url, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("GET %s with %q: %d, want %d", tc.url, tc.token, res.StatusCode, tc.want)
		}
		// The operator's view of the warm scan workers, at 0 before any
		// scan.
		if res.StatusCode == http.StatusOK && strings.HasSuffix(tc.url, "/metrics") && !strings.Contains(string(body), "\nshenbao_scan_workers_started_total 0\n") {
			t.Errorf("GET %s: no shenbao_scan_workers_started_total 0", tc.url)
		}
	}
}

// startServe runs serve on a free loopback port with env as its
// environment until the test ends.
func startServe(t *testing.T, env map[string]string) *Main {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m := NewMain(io.Discard, io.Discard)
	m.Getenv = func(k string) string { return env[k] }
	m.ready = make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	select {
	case <-m.ready:
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return m
}
