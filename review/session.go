package review

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// session is what the signed cookie carries. The user is looked up again on
// every request, so that a changed role or a deleted account takes effect
// at once; the id guards against a name reused by a new account.
type session struct {
	UserID  int64  `json:"uid"`
	User    string `json:"u"`
	Expires int64  `json:"exp"` // unix seconds
	// Version is the account's session version at sign-in; signing out, a
	// password change or disabling the account moves it on and voids
	// every cookie issued before (store.User.SessionVersion).
	Version int64 `json:"v"`
	// Nonce makes every sign-in's CSRF token different.
	Nonce string `json:"n"`
}

// codec signs and verifies session cookies with HMAC-SHA256. The cookie is
// not encrypted: it holds nothing secret, only who signed in and until when.
type codec struct {
	key []byte
	now func() time.Time
}

var errBadSession = errors.New("bad session cookie")

func (c codec) mac(purpose string, data []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}

func (c codec) encode(s session) (string, error) {
	payload, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode session: %w", err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(c.mac("session", payload)), nil
}

func (c codec) decode(v string) (session, error) {
	var s session
	p, sig, ok := strings.Cut(v, ".")
	if !ok {
		return s, errBadSession
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, c.mac("session", payload)) {
		return s, errBadSession
	}
	if err := json.Unmarshal(payload, &s); err != nil {
		return s, errBadSession
	}
	if c.now().Unix() >= s.Expires || s.User == "" {
		return s, errBadSession
	}
	return s, nil
}

// csrf is the session's anti-forgery token: forms carry it in a hidden
// field, the page's fetch() calls in the X-CSRF-Token header. It is derived
// from the session, so nothing needs storing server-side.
func (c codec) csrf(s session) string {
	return base64.RawURLEncoding.EncodeToString(c.mac("csrf", []byte(s.Nonce)))
}

func (c codec) checkCSRF(s session, token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(c.csrf(s)))
}

// loginToken protects the sign-in form itself (login CSRF): the form's
// hidden token must match the signed random value in a short-lived cookie.
func (c codec) loginToken(nonce string) string {
	return base64.RawURLEncoding.EncodeToString(c.mac("login", []byte(nonce)))
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand does not fail on Linux; a failing one must not yield
		// predictable tokens.
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
