package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
)

// The service end to end as an operator starts it: first admin from the
// CLI, a token, serve on a free port with a fresh data directory, an upload
// processed by the in-process workers, the report read back.
func TestServeEndToEnd(t *testing.T) {
	env := map[string]string{"SHENBAO_DATA_DIR": t.TempDir(), "SHENBAO_PASSWORD": "a-long-secret-1"}
	token := adminToken(t, env)
	m := startServe(t, env)
	base := "http://" + m.addr + "/api/v1"
	data, _ := os.ReadFile("../../testdata/corpus/nat2023_02_docx.docx")
	upload(t, base, token, "nat2023_02_docx.docx", data)
	rep := waitDone(t, base, token, 1)
	if rep.Edition.ID != "nat2023" || len(rep.Fields) < 100 {
		t.Fatalf("stored report: edition %s, %d fields", rep.Edition.ID, len(rep.Fields))
	}
}

// adminToken adds the admin root from the CLI, as an operator's first step,
// and returns an API token of root's.
func adminToken(t *testing.T, env map[string]string) string {
	t.Helper()
	if _, stderr, err := run(t, env, "user", "add", "root", "--role", "admin"); err != nil {
		t.Fatalf("user add: %v %s", err, stderr)
	}
	out, _, err := run(t, env, "token", "create", "root")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// upload posts one file to serve's API.
func upload(t *testing.T, base, token, name string, data []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("files", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/applications", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload %s: %s", name, resp.Status)
	}
}

// waitDone polls application id until it is done and returns its report.
func waitDone(t *testing.T, base, token string, id int) shenbao.Report {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/applications/%d", base, id), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Application struct{ Status string }
			Current     *struct{ Report shenbao.Report }
		}
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if got.Application.Status == "done" && got.Current != nil {
			return got.Current.Report
		}
		if got.Application.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("application %d not processed: %+v", id, got.Application)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
