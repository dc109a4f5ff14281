package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

// basic answers GET /me with a user name and password.
func (e *env) basic(name, password string) int {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+api.Prefix+"/me", nil)
	req.SetBasicAuth(name, password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestAccountRevocation: an admin disables and enables accounts, sets
// passwords, creates, lists and revokes tokens through the API, and tokens
// expire; each takes effect on the next request.
func TestAccountRevocation(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		e := newEnv(t, cfg, realPipeline(t))
		p := api.Prefix
		me := func(user string) int {
			t.Helper()
			status, _ := e.do("GET", p+"/me", user, nil, "")
			return status
		}
		newToken := func(body string) (int64, string) {
			t.Helper()
			status, data := e.do("POST", p+"/tokens", "admin", strings.NewReader(body), "application/json")
			var out struct {
				ID    int64  `json:"id"`
				Token string `json:"token"`
			}
			if status != http.StatusCreated || json.Unmarshal(data, &out) != nil || out.Token == "" {
				t.Fatalf("POST /tokens %s: %d %s", body, status, data)
			}
			return out.ID, out.Token
		}

		// Expiry.
		_, e.tokens["short"] = newToken(`{"user": "clerk", "ttl_hours": 0.0005}`) // 1.8 s
		if got := me("short"); got != http.StatusOK {
			t.Fatalf("fresh short-lived token: %d", got)
		}
		time.Sleep(2500 * time.Millisecond)
		if got := me("short"); got != http.StatusUnauthorized {
			t.Errorf("expired token: %d, want 401", got)
		}

		// Revocation, and the default lifetime.
		id, tok := newToken(`{"user": "clerk", "name": "script"}`)
		e.tokens["script"] = tok
		var list struct{ Tokens []store.Token }
		e.json("GET", p+"/tokens?user=clerk", "admin", nil, http.StatusOK, &list)
		var found bool
		for _, tk := range list.Tokens {
			if tk.ID == id {
				found = true
				if tk.ExpiresAt == nil || tk.ExpiresAt.Sub(time.Now()) < api.DefaultTokenTTL-time.Hour {
					t.Errorf("token without a lifetime expires at %v, want in %v", tk.ExpiresAt, api.DefaultTokenTTL)
				}
			}
			if strings.Contains(fmt.Sprint(tk), tok) {
				t.Error("the token list shows a token")
			}
		}
		if !found {
			t.Fatalf("token %d not listed: %+v", id, list)
		}
		if got := me("script"); got != http.StatusOK {
			t.Fatalf("new token: %d", got)
		}
		e.json("DELETE", fmt.Sprintf("%s/tokens/%d", p, id), "clerk", nil, http.StatusForbidden, nil)
		e.json("DELETE", fmt.Sprintf("%s/tokens/%d", p, id), "admin", nil, http.StatusNoContent, nil)
		e.json("DELETE", p+"/tokens/99999", "admin", nil, http.StatusNotFound, nil)
		if got := me("script"); got != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", got)
		}

		// Disable and enable.
		e.json("POST", p+"/users/clerk2/disable", "clerk", nil, http.StatusForbidden, nil)
		e.json("POST", p+"/users/clerk/disable", "admin", nil, http.StatusNoContent, nil)
		if got, basic := me("clerk"), e.basic("clerk", "password-clerk"); got != http.StatusUnauthorized || basic != http.StatusUnauthorized {
			t.Errorf("disabled account: token %d, password %d; want 401", got, basic)
		}
		var users struct{ Users []store.User }
		e.json("GET", p+"/users", "admin", nil, http.StatusOK, &users)
		for _, u := range users.Users {
			if u.Disabled != (u.Name == "clerk") {
				t.Errorf("%s listed disabled = %v", u.Name, u.Disabled)
			}
		}
		e.json("POST", p+"/users/clerk/enable", "admin", nil, http.StatusNoContent, nil)
		if got := me("clerk"); got != http.StatusOK {
			t.Errorf("enabled again: %d", got)
		}
		e.json("POST", p+"/users/nobody/disable", "admin", nil, http.StatusNotFound, nil)

		// Password.
		e.json("PUT", p+"/users/clerk2/password", "admin", api.NewPassword{Password: "short"}, http.StatusUnprocessableEntity, nil)
		e.json("PUT", p+"/users/clerk2/password", "admin", api.NewPassword{Password: "a-new-password-2"}, http.StatusNoContent, nil)
		if old, now := e.basic("clerk2", "password-clerk2"), e.basic("clerk2", "a-new-password-2"); old != http.StatusUnauthorized || now != http.StatusOK {
			t.Errorf("after the password change: old %d, new %d", old, now)
		}
		e.json("DELETE", p+"/users/clerk2/sessions", "admin", nil, http.StatusNoContent, nil)
	})
}

// TestSameBytesTwoUploaders: a clerk uploading bytes another clerk
// uploaded gets an application of their own — not the other's id, file
// name, batch, reviews — while the original is stored once and deleted
// with the last application that uses it.
func TestSameBytesTwoUploaders(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		e := newEnv(t, cfg, realPipeline(t))
		p := api.Prefix
		doc := sample(t)
		first := e.mustUpload("clerk", []file{{"mine.docx", doc}}, map[string]string{"batch": "A", "region": "湖北"})[0]
		second := e.mustUpload("clerk2", []file{{"theirs.docx", doc}}, map[string]string{"batch": "B", "region": "重庆"})[0]
		if second.ID == first.ID || second.Duplicate || second.SHA256 != first.SHA256 {
			t.Fatalf("second uploader got %+v; first %+v: want an application of their own", second, first)
		}
		again := e.mustUpload("clerk", []file{{"mine.docx", doc}}, nil)[0]
		if again.ID != first.ID || !again.Duplicate {
			t.Errorf("the same uploader again: %+v, want application %d marked duplicate", again, first.ID)
		}
		var d api.Detail
		e.json("GET", fmt.Sprintf("%s/applications/%d", p, second.ID), "clerk2", nil, http.StatusOK, &d)
		if a := d.Application; a.Filename != "theirs.docx" || a.Batch != "B" || a.Region != "重庆" {
			t.Errorf("second uploader's application: %s %s %s", a.Filename, a.Batch, a.Region)
		}
		e.json("GET", fmt.Sprintf("%s/applications/%d", p, first.ID), "clerk2", nil, http.StatusNotFound, nil)
		e.json("GET", fmt.Sprintf("%s/applications/%d", p, second.ID), "clerk", nil, http.StatusNotFound, nil)
		e.wait(first.ID, time.Minute)
		e.wait(second.ID, time.Minute)

		ctx := context.Background()
		e.json("DELETE", fmt.Sprintf("%s/applications/%d", p, first.ID), "admin", nil, http.StatusNoContent, nil)
		if ok, err := e.st.HasOriginal(ctx, first.SHA256); !ok || err != nil {
			t.Fatalf("original deleted while the second application uses it: %v", err)
		}
		if status, body := e.do("GET", fmt.Sprintf("%s/applications/%d/original", p, second.ID), "clerk2", nil, ""); status != http.StatusOK || len(body) != len(doc) {
			t.Errorf("second uploader's original: %d, %d bytes", status, len(body))
		}
		e.json("DELETE", fmt.Sprintf("%s/applications/%d", p, second.ID), "admin", nil, http.StatusNoContent, nil)
		if ok, _ := e.st.HasOriginal(ctx, first.SHA256); ok {
			t.Error("original kept after its last application was deleted")
		}
	})
}
