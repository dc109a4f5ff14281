package review_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"github.com/shenbao/shenbao/store"
)

// storeProcessed stores data as application n of the site, processed by
// the real pipeline, as the extract job would.
func storeProcessed(b testing.TB, s *site, name string, data []byte, n int, batch string) int64 {
	b.Helper()
	ctx := context.Background()
	rep, err := newPipeline(b).Extract(ctx, name, data)
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(append(data, fmt.Sprint(n)...))
	sha := hex.EncodeToString(sum[:])
	if err := s.Store.PutOriginal(ctx, sha, bytes.NewReader(data)); err != nil {
		b.Fatal(err)
	}
	mime := "application/pdf"
	if bytes.HasPrefix(data, []byte("PK")) {
		mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	app, _, err := s.Store.CreateApplication(ctx, store.NewApplication{SHA256: sha, Filename: fmt.Sprintf("%d-%s", n, name), Size: int64(len(data)), MIME: mime, Batch: batch, Region: "重庆市"}, store.Actor{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Store.SaveReport(ctx, store.SaveReport{AppID: app.ID, BaseVersion: -1, Kind: store.KindExtract, Report: rep}); err != nil {
		b.Fatal(err)
	}
	return app.ID
}

func sessionCookie(b testing.TB, s *site, name string) *http.Cookie {
	c, _ := signIn(b, s.URL, name)
	u, _ := url.Parse(s.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "shenbao_session" {
			return ck
		}
	}
	b.Fatal("no session cookie")
	return nil
}

// BenchmarkListPage is the server time of the applications list page over
// 1,000 processed applications, sorted by error count (the goal: under
// 300 ms).
func BenchmarkListPage(b *testing.B) {
	s := startSite(b, 0)
	data, err := os.ReadFile("testdata/cq2024_01_docx.docx")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	rep, err := newPipeline(b).Extract(ctx, "a.docx", data)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		sha := fmt.Sprintf("%064x", i+1)
		app, _, err := s.Store.CreateApplication(ctx, store.NewApplication{SHA256: sha, Filename: fmt.Sprintf("%04d.docx", i), Size: int64(len(data)), MIME: "application/zip", Batch: fmt.Sprintf("批次%d", i%7), Region: "重庆市"}, store.Actor{Name: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Store.SaveReport(ctx, store.SaveReport{AppID: app.ID, BaseVersion: -1, Kind: store.KindExtract, Report: rep}); err != nil {
			b.Fatal(err)
		}
	}
	ck := sessionCookie(b, s, "zhangsan")
	for _, tc := range []struct{ name, query string }{
		{"first-100", "/applications?sort=errors&dir=desc"},
		{"all-1000", "/applications?sort=name&per_page=1000"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", tc.query, nil)
				req.AddCookie(ck)
				w := httptest.NewRecorder()
				s.Handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("list: %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkFirstPageImage is what the browser waits for, on loopback,
// before the first page image of an application view appears: the view
// page, the report JSON and the first page rendered at the view's DPI
// (the goal: under 1 s). The static assets are cached by then.
func BenchmarkFirstPageImage(b *testing.B) {
	needRenderer(b)
	s := startSite(b, 0)
	data, err := os.ReadFile("testdata/cq2024_03_pdf.pdf")
	if err != nil {
		b.Fatal(err)
	}
	id := storeProcessed(b, s, "cq2024_03_pdf.pdf", data, 0, "bench")
	ck := sessionCookie(b, s, "zhangsan")
	client := &http.Client{}
	fetch := func(path string) {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.AddCookie(ck)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || n == 0 {
			b.Fatalf("GET %s: %d, %d bytes", path, res.StatusCode, n)
		}
	}
	for b.Loop() {
		fetch(fmt.Sprintf("/applications/%d", id))
		fetch(fmt.Sprintf("/api/v1/applications/%d", id))
		fetch(fmt.Sprintf("/api/v1/applications/%d/pages/1.png?dpi=110", id))
	}
}
