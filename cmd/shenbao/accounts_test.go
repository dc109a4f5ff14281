package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/store"
)

// TestAccountCommands: user disable|enable|passwd and token
// create|list|revoke, as an operator runs them, take effect in the store.
func TestAccountCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := map[string]string{"SHENBAO_DATA_DIR": dir, "SHENBAO_PASSWORD": "a-long-secret-1"}
	must := func(args ...string) string {
		t.Helper()
		out, stderr, err := run(t, env, args...)
		if err != nil {
			t.Fatalf("%v: %v %s", args, err, stderr)
		}
		return out
	}
	must("user", "add", "clerk1", "--role", "clerk")
	limited := strings.TrimSpace(must("token", "create", "clerk1", "--name", "nightly"))
	forever := strings.TrimSpace(must("token", "create", "clerk1", "--ttl", "0"))
	check := func(what, token, name, password string, want bool) {
		t.Helper()
		st, err := store.Open(ctx, store.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = auth.Authenticate(ctx, st, token, name, password)
		if (err == nil) != want {
			t.Errorf("%s: authenticates = %v, want %v (%v)", what, err == nil, want, err)
		}
	}
	check("new token", limited, "", "", true)

	list := must("token", "list", "clerk1")
	rows := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
		f := strings.Fields(line)
		rows[f[2]] = line
	}
	if !strings.Contains(rows["nightly"], "active") || strings.HasSuffix(rows["nightly"], "never") || !strings.HasSuffix(rows["cli"], "never") {
		t.Fatalf("token list:\n%s\nwant nightly active with an expiry (the default lifetime), cli never expiring", list)
	}
	id := regexp.MustCompile(`^\d+`).FindString(rows["cli"])
	must("token", "revoke", id)
	check("revoked token", forever, "", "", false)
	if !strings.Contains(must("token", "list"), "revoked") {
		t.Error("token list does not show the revoked token")
	}

	must("user", "disable", "clerk1")
	check("disabled account's token", limited, "", "", false)
	check("disabled account's password", "", "clerk1", "a-long-secret-1", false)
	must("user", "enable", "clerk1")
	check("enabled again", limited, "", "", true)

	env["SHENBAO_PASSWORD"] = "another-secret-2"
	must("user", "passwd", "clerk1")
	check("old password", "", "clerk1", "a-long-secret-1", false)
	check("new password", "", "clerk1", "another-secret-2", true)

	for _, args := range [][]string{{"user", "frobnicate", "x"}, {"token", "revoke"}, {"token", "revoke", "abc"}} {
		if _, _, err := run(t, env, args...); shenbao.ErrorCode(err) != "usage" {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, _, err := run(t, env, "user", "disable", "nobody"); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
		t.Errorf("disable an unknown user: %v", err)
	}
}
