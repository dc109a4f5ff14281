package review_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestSignInAndSessionRules(t *testing.T) {
	s := startSite(t, 0)
	anon := &http.Client{CheckRedirect: noRedirect}

	res, err := anon.Get(s.URL + "/applications?status=done")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next="+url.QueryEscape("/applications?status=done") {
		t.Fatalf("anonymous list: %d → %q, want 303 to the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}

	// A sign-in without the form's token is refused even with the right password.
	res, err = anon.PostForm(s.URL+"/login", url.Values{"name": {"zhangsan"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || len(res.Header.Values("Set-Cookie")) != 1 {
		t.Fatalf("sign-in without CSRF token: %d, cookies %q; want 403 and only a new login cookie", res.StatusCode, res.Header.Values("Set-Cookie"))
	}

	c, csrf := signIn(t, s.URL, "zhangsan")
	u, _ := url.Parse(s.URL)
	var session *http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "shenbao_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie after sign-in")
	}
	// The jar hides the attributes; check them on a fresh sign-in response.
	attrs := loginSetCookie(t, s.URL)
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="} {
		if !strings.Contains(attrs, want) {
			t.Errorf("session cookie %q lacks %s", attrs, want)
		}
	}

	tests := []struct {
		name, method, path, token string
		want                      int
	}{
		{"read with session", "GET", "/api/v1/me", "", http.StatusOK},
		{"write without CSRF header", "PATCH", "/api/v1/applications/1/fields/x", "", http.StatusForbidden},
		{"write with a wrong CSRF header", "POST", "/api/v1/applications/1/findings/0:dismiss", "forged", http.StatusForbidden},
		{"write with the CSRF header reaches the handler", "PATCH", "/api/v1/applications/999/fields/x", csrf, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, s.URL+tt.path, strings.NewReader(`{"value":"1","reason":"r"}`))
			if tt.token != "" {
				req.Header.Set("X-CSRF-Token", tt.token)
			}
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Fatalf("%s %s: %d, want %d", tt.method, tt.path, res.StatusCode, tt.want)
			}
		})
	}

	// Without the cookie the API is as closed as before.
	res, err = anon.Get(s.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous /api/v1/me: %d, want 401", res.StatusCode)
	}

	// Signing out needs the token too, then the session is gone.
	res, err = c.PostForm(s.URL+"/logout", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d, want 403", res.StatusCode)
	}
	res, err = c.PostForm(s.URL+"/logout", url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/login" {
		t.Fatalf("after logout at %s, want /login", res.Request.URL.Path)
	}
	res, err = c.Get(s.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/api/v1/me after logout: %d, want 401", res.StatusCode)
	}
}

func loginSetCookie(t *testing.T, base string) string {
	t.Helper()
	res := postLogin(t, base, url.Values{"name": {"zhangsan"}, "password": {password}})
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "shenbao_session=") {
			return v
		}
	}
	t.Fatalf("sign-in set no session cookie (status %d)", res.StatusCode)
	return ""
}
