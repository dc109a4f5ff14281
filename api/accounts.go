package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/store"
)

// The admin's account and token routes: the same as `shenbao user
// disable|enable|passwd` and `shenbao token list|create|revoke`, each one
// written to the audit log by the store.

func (s *Server) setDisabled(disabled bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.st.SetDisabled(c.Request.Context(), c.Param("name"), disabled, store.ActorOf(user(c))); err != nil {
			s.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// NewPassword is the body of PUT /users/{name}/password.
type NewPassword struct {
	Password string `json:"password"`
}

func (s *Server) setPassword(c *gin.Context) {
	var in NewPassword
	if err := c.ShouldBindJSON(&in); err != nil {
		s.fail(c, badRequest("请求体不是有效的 JSON。", "The request body is not valid JSON."))
		return
	}
	if err := auth.SetPassword(c.Request.Context(), s.st, c.Param("name"), in.Password, store.ActorOf(user(c))); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// endSessions signs the named account out everywhere.
func (s *Server) endSessions(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := s.st.UserByName(ctx, c.Param("name"))
	if err == nil {
		err = s.st.EndSessions(ctx, u.ID, store.ActorOf(user(c)))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) tokens(c *gin.Context) {
	ctx := c.Request.Context()
	var id int64
	if name := c.Query("user"); name != "" {
		u, err := s.st.UserByName(ctx, name)
		if err != nil {
			s.fail(c, err)
			return
		}
		id = u.ID
	}
	ts, err := s.st.Tokens(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"tokens": ts})
}

// NewToken is the body of POST /tokens. TTLHours absent takes
// DefaultTokenTTL; 0 makes a token that never expires.
type NewToken struct {
	User     string   `json:"user"`
	Name     string   `json:"name"`
	TTLHours *float64 `json:"ttl_hours"`
}

// DefaultTokenTTL is the lifetime of a token made without one.
const DefaultTokenTTL = 90 * 24 * time.Hour

func (s *Server) createToken(c *gin.Context) {
	var in NewToken
	if err := c.ShouldBindJSON(&in); err != nil || in.User == "" {
		s.fail(c, badRequest("请求体须为 JSON，含 user。", `The request body must be JSON with "user".`))
		return
	}
	ttl := DefaultTokenTTL
	if in.TTLHours != nil {
		ttl = time.Duration(*in.TTLHours * float64(time.Hour))
	}
	if in.Name == "" {
		in.Name = "api"
	}
	tok, id, err := auth.CreateTokenBy(c.Request.Context(), s.st, in.User, in.Name, ttl, store.ActorOf(user(c)))
	if err != nil {
		s.fail(c, err)
		return
	}
	// Shown once; only its hash is stored.
	c.JSON(http.StatusCreated, gin.H{"id": id, "token": tok})
}

func (s *Server) revokeToken(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, errNoToken)
		return
	}
	if err := s.st.RevokeToken(c.Request.Context(), id, store.ActorOf(user(c))); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
