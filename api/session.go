package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
)

// Session is a browser session of the reviewer's page (package review),
// which verifies the signed session cookie and the CSRF header before the
// request reaches the API and attaches the result with WithSession. The API
// only ever trusts it from the request context, which no client can set.
type Session struct {
	User *store.User
	// CSRF reports whether the request carried the session's valid
	// X-CSRF-Token header; unsafe methods are refused without it.
	CSRF bool
}

type sessionKey struct{}

// WithSession returns ctx carrying the verified browser session s.
func WithSession(ctx context.Context, s Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

var errCSRF = shenbao.Errorf(shenbao.EFORBIDDEN, "页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试。/ The page has expired or the request's origin is unknown (CSRF check failed); reload the page and try again.")

// acceptSession authenticates the request by its browser session, if it has
// one, and reports whether it did so (the request was then answered or
// passed on). authenticate calls it before looking at API credentials.
func (s *Server) acceptSession(c *gin.Context) bool {
	sess, ok := c.Request.Context().Value(sessionKey{}).(Session)
	if !ok || sess.User == nil {
		return false
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !sess.CSRF {
			s.fail(c, errCSRF)
			return true
		}
	}
	c.Set(userKey, sess.User)
	c.Next()
	return true
}
