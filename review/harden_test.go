package review_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
