package api

import (
	"context"

	"github.com/shenbao/shenbao/store"
)

// WithBrowserSession returns ctx carrying the signed-in user of a request
// whose session cookie the review pages verified; csrf says whether it
// carried the session's X-CSRF-Token. It is how package review, which holds
// the API only through its own interface, hands the API a session.
func (s *Server) WithBrowserSession(ctx context.Context, user *store.User, csrf bool) context.Context {
	return WithSession(ctx, Session{User: user, CSRF: csrf})
}
