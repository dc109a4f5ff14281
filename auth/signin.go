package auth

import (
	"context"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/throttle"
)

// SignIn checks a name and password, throttled per account and per
// client address (package throttle) and audited when it fails: the one
// way a password is tried, by the review pages' sign-in form (via "form")
// and by HTTP Basic on the API (via "basic"). A locked try answers
// ETHROTTLED without a bcrypt comparison; RetryAfter says for how long.
func SignIn(ctx context.Context, st store.Store, th *throttle.SignIn, log *slog.Logger, name, password, addr, via string) (*store.User, error) {
	if wait := th.Wait(name, addr); wait > 0 {
		return nil, errThrottled(wait)
	}
	u, err := Authenticate(ctx, st, "", name, password)
	if shenbao.ErrorCode(err) != shenbao.EUNAUTHORIZED {
		if err == nil {
			th.Succeeded(name)
		}
		return u, err
	}
	wait := th.Failed(name, addr)
	// The one who tried is unknown: the entry's user is "anonymous", the
	// name tried (cut to a sane length) is part of the detail.
	detail := map[string]any{"name": shortName(name), "address": addr, "via": via}
	if wait > 0 {
		detail["locked_seconds"] = math.Ceil(wait.Seconds())
	}
	if aerr := st.Audit(ctx, store.AuditEntry{UserName: "anonymous", Action: ActionSignInFailed, Detail: detail}); aerr != nil {
		log.Error("audit failed sign-in", "err", aerr)
	}
	return nil, err
}

// shortName cuts a name tried at sign-in to 64 characters for the audit
// log: the form admits 4 KB.
func shortName(name string) string {
	if r := []rune(name); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return name
}

// ActionSignInFailed is the audit action of a failed password try.
const ActionSignInFailed = "auth.failed"

func errThrottled(wait time.Duration) error {
	s := retrySeconds(wait)
	return shenbao.Errorf(shenbao.ETHROTTLED, "登录失败次数过多，请 %d 秒后再试。/ Too many failed sign-ins; try again in %d s.", s, s)
}

func retrySeconds(wait time.Duration) int { return int(math.Ceil(wait.Seconds())) }

// RetryAfter sets the Retry-After header of a throttled answer for the
// account name tried from addr.
func RetryAfter(w http.ResponseWriter, th *throttle.SignIn, name, addr string) {
	if wait := th.Wait(name, addr); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
	}
}

// ClientAddr is the address a request came from, for throttling: the
// peer's IP, never a header the client sets. Behind a reverse proxy it is
// the proxy's (SECURITY.md says what follows).
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
