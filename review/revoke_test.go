package review_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/store"
)

// TestSessionRevoked: a copy of a session cookie (a shared computer, a
// stolen cookie) stops answering once its account signs out, changes its
// password or is disabled — the server forgets the session, not only the
// browser.
func TestSessionRevoked(t *testing.T) {
	s := startSite(t, 0)
	ctx := context.Background()
	me := func(cookie *http.Cookie) int {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+"/api/v1/me", nil)
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	session := func(c *http.Client) *http.Cookie {
		t.Helper()
		u, _ := url.Parse(s.URL)
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "shenbao_session" {
				return ck
			}
		}
		t.Fatal("no session cookie")
		return nil
	}
	admin := store.Actor{Name: "cli"}
	for _, tc := range []struct {
		name   string
		revoke func(c *http.Client, csrf string)
	}{
		{"sign-out", func(c *http.Client, csrf string) {
			res, err := c.PostForm(s.URL+"/logout", url.Values{"csrf": {csrf}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}},
		{"password change", func(*http.Client, string) {
			if err := auth.SetPassword(ctx, s.Store, "zhangsan", password, admin); err != nil {
				t.Fatal(err)
			}
		}},
		{"account disabled", func(*http.Client, string) {
			if err := s.Store.SetDisabled(ctx, "zhangsan", true, admin); err != nil {
				t.Fatal(err)
			}
			// Enabled again: the sessions from before stay void.
			if err := s.Store.SetDisabled(ctx, "zhangsan", false, admin); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		c, csrf := signIn(t, s.URL, "zhangsan")
		copied := session(c)
		if got := me(copied); got != http.StatusOK {
			t.Fatalf("%s: before, /api/v1/me with the cookie: %d", tc.name, got)
		}
		tc.revoke(c, csrf)
		if got := me(copied); got != http.StatusUnauthorized {
			t.Errorf("%s: a copy of the cookie still answers /api/v1/me: %d, want 401", tc.name, got)
		}
	}
	// A new sign-in works after all that.
	c, _ := signIn(t, s.URL, "zhangsan")
	if got := me(session(c)); got != http.StatusOK {
		t.Errorf("new session: /api/v1/me %d", got)
	}
}
