package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/store"
)

const userKey = "shenbao.user"

// authenticate accepts an API token (Authorization: Bearer sbt_…) or a
// user name and password (HTTP Basic) and answers 401 to anything else.
func (s *Server) authenticate(c *gin.Context) {
	if s.acceptSession(c) {
		return
	}
	var u *store.User
	var err error
	h := c.GetHeader("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		u, err = auth.Authenticate(c.Request.Context(), s.st, strings.TrimSpace(t), "", "")
	} else if name, password, ok := c.Request.BasicAuth(); ok {
		addr := auth.ClientAddr(c.Request)
		u, err = auth.SignIn(c.Request.Context(), s.st, s.cfg.Throttle, s.log, name, password, addr, "basic")
		auth.RetryAfter(c.Writer, s.cfg.Throttle, name, addr)
	} else {
		u, err = auth.Authenticate(c.Request.Context(), s.st, "", "", "")
	}
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="shenbao", Basic realm="shenbao"`)
		s.fail(c, err)
		return
	}
	c.Set(userKey, u)
	c.Next()
}

func user(c *gin.Context) *store.User {
	u, _ := c.Get(userKey)
	return u.(*store.User)
}

func (s *Server) require(roles []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, user(c).Role) {
			s.fail(c, errForbidden)
			return
		}
		c.Next()
	}
}

const appKey = "shenbao.application"

// readable loads the application named in the path and answers 404 when
// the user may not see it, so that a clerk cannot probe other clerks' ids.
func (s *Server) readable(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, errNotFound)
		return
	}
	ctx := c.Request.Context()
	ok, err := s.st.CanRead(ctx, user(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		s.fail(c, errNotFound)
		return
	}
	app, err := s.st.Application(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(appKey, app)
	c.Next()
}

func application(c *gin.Context) *store.Application {
	a, _ := c.Get(appKey)
	return a.(*store.Application)
}

func (s *Server) me(c *gin.Context) { c.JSON(http.StatusOK, user(c)) }

func (s *Server) users(c *gin.Context) {
	us, err := s.st.Users(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": us})
}

// NewUser is the body of POST /users.
type NewUser struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

func (s *Server) addUser(c *gin.Context) {
	var in NewUser
	if err := c.ShouldBindJSON(&in); err != nil {
		s.fail(c, badRequest("请求体不是有效的 JSON。", "The request body is not valid JSON."))
		return
	}
	u, err := auth.AddUser(c.Request.Context(), s.st, in.Name, in.Role, in.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.st.Audit(c.Request.Context(), store.AuditEntry{UserID: user(c).ID, UserName: user(c).Name, Action: "user.add", Detail: map[string]any{"user": u.Name, "role": u.Role}})
	c.JSON(http.StatusCreated, u)
}
