package review_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/pdftext"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/layout"
	"github.com/shenbao/shenbao/pipeline"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/review"
	"github.com/shenbao/shenbao/store"
)

// The page renderer runs MuPDF in child processes, which are this test
// binary: TestMain turns it into the job when it was started as one.
func TestMain(m *testing.M) {
	child.Main()
	os.Exit(m.Run())
}

const password = "correct-horse-battery"

// site is the whole service as `shenbao serve` runs it: SQLite store, River
// queue with workers, the real pipeline (docx and PDF text layer), MuPDF
// page images, the API and the pages, on a loopback port.
type site struct {
	URL     string
	Store   store.Store
	Handler http.Handler // what the server serves, for in-process benchmarks
	srv     *httptest.Server
}

// needRenderer skips tb when this build cannot render pages (CGO_ENABLED=0
// has no MuPDF): the page view then has no images to place boxes on.
func needRenderer(tb testing.TB) {
	tb.Helper()
	pdf, err := os.ReadFile("testdata/cq2024_03_pdf.pdf")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := (render.Options{}).PagePNG(context.Background(), "application/pdf", pdf, 1, 36); err != nil {
		if shenbao.ErrorCode(err) == shenbao.ENOTINSTALLED {
			tb.Skipf("this build has no page renderer (%v); run with CGO_ENABLED=1", shenbao.ErrorMessage(err))
		}
		tb.Fatalf("render a test page: %v", err)
	}
}

func newPipeline(t testing.TB) *pipeline.Pipeline {
	t.Helper()
	set, err := layout.Load()
	if err != nil {
		t.Fatal(err)
	}
	ex := extract.New(set)
	ex.PDFText = pdftext.Read
	rules, err := criteria.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Pipeline{Extractor: ex, Rules: rules}
}

func startSite(t testing.TB, workers int, opts ...func(*review.Config)) *site {
	t.Helper()
	return startSiteWith(t, workers, newPipeline(t), opts...)
}

// startSiteWith starts the site with proc as its pipeline (the scan test
// adds OCR to it); opts change the pages' configuration.
func startSiteWith(t testing.TB, workers int, proc *pipeline.Pipeline, opts ...func(*review.Config)) *site {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(ctx, st, proc, queue.Config{Workers: workers, PollInterval: 100 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if workers > 0 {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	apiSrv := api.New(api.Config{Store: st, Queue: q, Checker: proc, Renderer: render.Options{}, Logger: log, TempDir: t.TempDir()})
	rc := review.Config{Store: st, SessionKey: []byte(strings.Repeat("k", 32)), Logger: log}
	for _, o := range opts {
		o(&rc)
	}
	ui, err := review.New(rc)
	if err != nil {
		t.Fatal(err)
	}
	h := ui.Handler(apiSrv)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		if workers > 0 {
			q.Stop(stopCtx)
		}
		cancel()
		st.Close()
	})
	for _, u := range [][2]string{{"zhangsan", store.RoleReviewer}, {"lisi", store.RoleClerk}} {
		if _, err := auth.AddUser(ctx, st, u[0], u[1], password); err != nil {
			t.Fatal(err)
		}
	}
	return &site{URL: srv.URL, Store: st, Handler: h, srv: srv}
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs name in through the sign-in form and returns a client
// holding the session cookie and the page's CSRF token.
func signIn(t testing.TB, base, name string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	body := get(t, c, base+"/login")
	m := hiddenCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("sign-in page has no CSRF field:\n%s", body)
	}
	res, err := c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}, "next": {"/upload"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/upload" {
		t.Fatalf("sign in as %s: %d at %s", name, res.StatusCode, res.Request.URL)
	}
	m = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`).FindStringSubmatch(string(page))
	if m == nil {
		t.Fatal("signed-in page has no CSRF token")
	}
	return c, m[1]
}

func get(t testing.TB, c *http.Client, u string) string {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	return string(b)
}
