package review_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao/review"
	"github.com/shenbao/shenbao/throttle"
)

// postLogin posts the sign-in form as a browser would — the form's token
// and its cookie first — with extra fields set, and returns the response
// without following a redirect.
func postLogin(t *testing.T, base string, form url.Values) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: noRedirect}
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := hiddenCSRF.FindSubmatch(body)
	if m == nil {
		t.Fatalf("sign-in page has no CSRF field:\n%s", body)
	}
	form.Set("csrf", string(m[1]))
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range res.Cookies() {
		req.AddCookie(ck)
	}
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// TestSignInRedirectStaysLocal: after signing in, next only ever leads to
// the review pages (issue 22 item 7: next=/%09/evil.example/x answered
// Location: /\t/evil.example/x, which browsers resolve to another host).
func TestSignInRedirectStaysLocal(t *testing.T) {
	s := startSite(t, 0)
	for next, want := range map[string]string{
		"/\t/evil.example/x":        "/applications",
		"/\r\n/evil.example/x":      "/applications",
		"/\\evil.example/x":         "/applications",
		"//evil.example/x":          "/applications",
		"https://evil.example/x":    "/applications",
		"/api/v1/me":                "/applications",
		"/applications/3?dpi=110":   "/applications/3?dpi=110",
		"/applications?status=done": "/applications?status=done",
		"/upload":                   "/upload",
	} {
		res := postLogin(t, s.URL, url.Values{"name": {"zhangsan"}, "password": {password}, "next": {next}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("next=%q: %d Location %q, want 303 %q", next, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	// The sign-in page itself carries a safe next into its form.
	res, err := http.Get(s.URL + "/login?next=/%09/evil.example/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(body), "evil.example") {
		t.Errorf("the sign-in form kept the hostile next")
	}
}

// TestSignInBodyCapped: the sign-in and sign-out forms take a few KB of
// URL-encoded form and nothing else (issue 22 item 1: an anonymous 300 MB
// multipart post to /login was spooled to a temp file).
func TestSignInBodyCapped(t *testing.T) {
	s := startSite(t, 0)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("name", "big.bin")
	fw.Write(bytes.Repeat([]byte("x"), 8<<20))
	mw.Close()
	long := "name=" + strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name, path, ct string
		body           io.Reader
		want           int
	}{
		{"multipart sign-in", "/login", mw.FormDataContentType(), bytes.NewReader(mp.Bytes()), http.StatusUnsupportedMediaType},
		{"long sign-in", "/login", "application/x-www-form-urlencoded", strings.NewReader(long), http.StatusRequestEntityTooLarge},
		{"multipart sign-out", "/logout", mw.FormDataContentType(), bytes.NewReader(mp.Bytes()), http.StatusUnsupportedMediaType},
		{"long sign-out", "/logout", "application/x-www-form-urlencoded", strings.NewReader(long), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Post(s.URL+tc.path, tc.ct, tc.body)
			if err != nil {
				// The server may close the connection once the limit is
				// passed, before the client has sent all of it.
				t.Logf("POST: %v", err)
				return
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("%d, want %d", res.StatusCode, tc.want)
			}
		})
	}
	// A form of ordinary size still signs in.
	res := postLogin(t, s.URL, url.Values{"name": {"zhangsan"}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
}

// TestSignInThrottled: after five wrong passwords for one account the form
// refuses even the right one for a while, without trying it; another
// account from the same address still signs in (issue 22 item 5: no
// throttling, each try a bcrypt).
func TestSignInThrottled(t *testing.T) {
	s := startSite(t, 0, func(c *review.Config) { c.Throttle = throttle.New(throttle.Config{Base: time.Minute}) })
	for i := range 5 {
		res := postLogin(t, s.URL, url.Values{"name": {"zhangsan"}, "password": {"wrong"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("wrong password %d: %d, want the form again (200)", i+1, res.StatusCode)
		}
	}
	res := postLogin(t, s.URL, url.Values{"name": {"zhangsan"}, "password": {password}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("right password after five wrong ones: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := postLogin(t, s.URL, url.Values{"name": {"lisi"}, "password": {password}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account from the same address: %d, want 303", res.StatusCode)
	}
}
