package review

import (
	"strings"
	"testing"
	"time"
)

func TestSessionCodec(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := codec{key: []byte(strings.Repeat("a", 32)), now: func() time.Time { return now }}
	other := codec{key: []byte(strings.Repeat("b", 32)), now: c.now}
	good := session{UserID: 7, User: "张三", Expires: now.Add(time.Hour).Unix(), Nonce: "n1"}
	v, err := c.encode(good)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := c.encode(session{UserID: 7, User: "张三", Expires: now.Unix(), Nonce: "n1"})
	forged, _ := other.encode(good)
	payload, sig, _ := strings.Cut(v, ".")
	tampered, _ := c.encode(session{UserID: 1, User: "admin", Expires: good.Expires, Nonce: "n1"})
	tamperedPayload, _, _ := strings.Cut(tampered, ".")
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"valid", v, true},
		{"expired", expired, false},
		{"other key", forged, false},
		{"payload swapped", tamperedPayload + "." + sig, false},
		{"no signature", payload, false},
		{"empty", "", false},
		{"garbage", "!!.??", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := c.decode(tt.value)
			if (err == nil) != tt.ok {
				t.Fatalf("decode: err = %v, want ok = %v", err, tt.ok)
			}
			if tt.ok && s != good {
				t.Fatalf("decode = %+v, want %+v", s, good)
			}
		})
	}
}

func TestCSRFToken(t *testing.T) {
	c := codec{key: []byte(strings.Repeat("a", 32)), now: time.Now}
	s1 := session{User: "a", Nonce: "one"}
	s2 := session{User: "a", Nonce: "two"}
	tests := []struct {
		name  string
		s     session
		token string
		ok    bool
	}{
		{"own token", s1, c.csrf(s1), true},
		{"another sign-in's token", s1, c.csrf(s2), false},
		{"empty", s1, "", false},
		{"login token is not a session token", s1, c.loginToken("one"), false},
	}
	for _, tt := range tests {
		if got := c.checkCSRF(tt.s, tt.token); got != tt.ok {
			t.Errorf("%s: checkCSRF = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/applications/3":                       "/applications/3",
		"//evil.example/x":                      "/applications",
		"/\\evil.example":                       "/applications",
		"https://evil.example":                  "/applications",
		"":                                      "/applications",
		"/\t/evil.example/x":                    "/applications",
		"/\n/evil.example/x":                    "/applications",
		"/ /evil.example":                       "/applications",
		"/applications?status=done&q=%E9%87%8D": "/applications?status=done&q=%E9%87%8D",
		"/applications/7#f3":                    "/applications/7",
		"/static/app.js":                        "/applications",
		"/login":                                "/applications",
		"/api/v1/me":                            "/applications",
		"/upload":                               "/upload",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSessionDecode: no cookie value makes decode panic, and only values
// signed with the key decode.
func FuzzSessionDecode(f *testing.F) {
	c := codec{key: []byte(strings.Repeat("a", 32)), now: func() time.Time { return time.Unix(1_800_000_000, 0) }}
	good, _ := c.encode(session{UserID: 1, User: "u", Expires: 1_900_000_000, Nonce: "n"})
	for _, s := range []string{good, "", ".", "e30.", good + "x", strings.Replace(good, ".", "..", 1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s, err := c.decode(v)
		if err != nil {
			return
		}
		again, err := c.encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.decode(again); err != nil {
			t.Fatalf("decoded %q to %+v, which does not decode again: %v", v, s, err)
		}
		if s.User == "" || s.Expires <= c.now().Unix() {
			t.Fatalf("accepted %q: %+v", v, s)
		}
	})
}
