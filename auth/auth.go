// Package auth hashes passwords and API tokens and creates accounts. The
// first admin is made by AddUser from the command line; the service never
// ships with a default password.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
)

// MinPasswordLen is the shortest password AddUser accepts.
const MinPasswordLen = 10

// TokenPrefix starts every API token, so that a leaked one is recognisable
// in logs and by secret scanners.
const TokenPrefix = "sbt_"

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return "", shenbao.Errorf(shenbao.EINVALID, "密码至少需要 %d 个字符。/ The password needs at least %d characters.", MinPasswordLen, MinPasswordLen)
	}
	if len(password) > 72 {
		// bcrypt ignores bytes past 72; refuse rather than silently truncate.
		return "", shenbao.Errorf(shenbao.EINVALID, "密码不能超过 72 字节。/ The password must not exceed 72 bytes.")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NewToken returns a new random API token and the hash to store. Tokens
// carry 256 random bits, so a plain SHA-256 is enough to store them: there
// is nothing to guess that a slow hash would protect.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the stored form of token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IsToken reports whether s looks like an API token.
func IsToken(s string) bool { return strings.HasPrefix(s, TokenPrefix) }

// AddUser creates an account; `shenbao user add` calls it, and it is the
// only way to create the first admin.
func AddUser(ctx context.Context, st store.Store, name, role, password string) (*store.User, error) {
	if !store.ValidRole(role) {
		return nil, shenbao.Errorf(shenbao.EINVALID, "角色必须是 clerk、reviewer 或 admin。/ The role must be clerk, reviewer or admin.")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	return st.CreateUser(ctx, name, role, hash)
}

// CreateToken makes an API token for the named user, audited as made by
// the system; see CreateTokenBy.
func CreateToken(ctx context.Context, st store.Store, userName, tokenName string, ttl time.Duration) (string, error) {
	tok, _, err := CreateTokenBy(ctx, st, userName, tokenName, ttl, store.ActorOf(nil))
	return tok, err
}

// CreateTokenBy makes an API token for the named user on behalf of by
// (`shenbao token create`, POST /tokens) and returns it with its id. The
// token is shown once; only its hash is stored. A zero ttl makes a token
// that does not expire.
func CreateTokenBy(ctx context.Context, st store.Store, userName, tokenName string, ttl time.Duration, by store.Actor) (string, int64, error) {
	if ttl < 0 {
		return "", 0, shenbao.Errorf(shenbao.EINVALID, "令牌有效期不能为负数。/ The token's lifetime must not be negative.")
	}
	u, err := st.UserByName(ctx, userName)
	if err != nil {
		return "", 0, err
	}
	token, hash, err := NewToken()
	if err != nil {
		return "", 0, err
	}
	var exp *time.Time
	if ttl > 0 {
		t := time.Now().Add(ttl)
		exp = &t
	}
	id, err := st.CreateToken(ctx, u.ID, tokenName, hash, exp, by)
	if err != nil {
		return "", 0, err
	}
	return token, id, nil
}

// SetPassword gives the named account a new password; every session of
// the account ends (store.SetPassword).
func SetPassword(ctx context.Context, st store.Store, name, password string, by store.Actor) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return st.SetPassword(ctx, name, hash, by)
}

// Authenticate returns the user of an API token or of a name and password,
// or an EUNAUTHORIZED error.
func Authenticate(ctx context.Context, st store.Store, token, name, password string) (*store.User, error) {
	var u *store.User
	var err error
	switch {
	case token != "":
		u, err = st.UserByToken(ctx, HashToken(token))
	case name != "":
		u, err = st.UserByName(ctx, name)
		var hash string
		if err == nil {
			hash = u.PasswordHash
		} else {
			hash = dummyHash()
		}
		// Compare even for an unknown name, so that the answer's timing
		// does not tell which names exist.
		if !CheckPassword(hash, password) {
			u = nil
		}
	}
	if shenbao.ErrorCode(err) == shenbao.ENOTFOUND || (err == nil && u == nil) {
		return nil, errUnauthorized
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// dummyHash is a bcrypt hash of a random password nobody knows, at the
// default cost.
var dummyHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), bcrypt.DefaultCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

var errUnauthorized = shenbao.Errorf(shenbao.EUNAUTHORIZED, "未登录或凭据无效，请提供有效的 API 令牌或用户名和密码。/ Not signed in or bad credentials; send a valid API token or user name and password.")
