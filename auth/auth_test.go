package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/store"
)

func TestAccountsAndTokens(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	if _, err := auth.AddUser(ctx, st, "root", "admin", "short"); shenbao.ErrorCode(err) != shenbao.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if _, err := auth.AddUser(ctx, st, "root", "superuser", "long enough password"); shenbao.ErrorCode(err) != shenbao.EINVALID {
		t.Fatalf("bad role: %v", err)
	}
	u, err := auth.AddUser(ctx, st, "root", store.RoleAdmin, "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u.PasswordHash, "long enough") {
		t.Fatal("password stored in clear")
	}
	tok, err := auth.CreateToken(ctx, st, "root", "script", 0)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := auth.CreateToken(ctx, st, "root", "old", time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)

	for _, tc := range []struct {
		name                  string
		token, user, password string
		ok                    bool
	}{
		{"token", tok, "", "", true},
		{"password", "", "root", "long enough password", true},
		{"wrong password", "", "root", "long enough passwore", false},
		{"unknown user", "", "nobody", "long enough password", false},
		{"unknown token", auth.TokenPrefix + "x", "", "", false},
		{"expired token", expired, "", "", false},
		{"nothing", "", "", "", false},
	} {
		got, err := auth.Authenticate(ctx, st, tc.token, tc.user, tc.password)
		if tc.ok && (err != nil || got.Name != "root") {
			t.Errorf("%s: %v, %v", tc.name, got, err)
		}
		if !tc.ok && shenbao.ErrorCode(err) != shenbao.EUNAUTHORIZED {
			t.Errorf("%s: err = %v, want unauthorized", tc.name, err)
		}
	}
}
