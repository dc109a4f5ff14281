// Package review is the reviewer's web page served by `shenbao serve`:
// sign-in, upload, the applications list, the application view with every
// finding drawn on the page image, corrections and decisions, and the
// printable 审核意见. Pages are html/template rendered on the server; the
// little JavaScript there is calls the JSON API (package api) for data and
// actions. Every asset is embedded, so the page works on an intranet with no
// internet.
//
// Sign-in sets a signed, expiring session cookie (session.go). The API
// accepts that session for requests that pass through APISession, which
// checks the cookie and, for unsafe methods, the X-CSRF-Token header.
//
// Wiring, in `shenbao serve`:
//
//	apiSrv := api.New(api.Config{...})
//	ui, err := review.New(review.Config{Store: st, SessionKey: key})
//	…
//	srv := &http.Server{Handler: ui.Handler(apiSrv)}
//
// Handler serves the pages and passes everything else (/api/v1/…,
// /healthz, /metrics) to the API through APISession. The pages hold the API
// only through the API interface below, never its internals.
package review

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// API is the service's JSON API as the pages reach it: the handler of
// everything that is not a page, and the way a request carries the browser
// session the UI verified (api.Server has both).
type API interface {
	http.Handler
	// WithBrowserSession returns ctx carrying user, signed in by the
	// UI's session cookie; csrf says whether the request carried the
	// session's CSRF token, without which unsafe methods are refused.
	WithBrowserSession(ctx context.Context, user *store.User, csrf bool) context.Context
}

// Config is what the UI needs. Store is required.
type Config struct {
	Store store.Store
	// SessionKey signs session cookies; at least 32 bytes. Empty makes a
	// random key, so that sessions end when the process stops and are not
	// shared between several serve processes: set it (e.g. from
	// SHENBAO_SESSION_KEY) when running more than one.
	SessionKey []byte
	// SessionTTL is how long a sign-in lasts; default 8 hours.
	SessionTTL time.Duration
	// SecureCookies forces the Secure flag, for TLS terminated by a proxy
	// in front; requests served over TLS directly get it anyway.
	SecureCookies bool
	// Chromium prints review.pdf; empty looks for Debian's chromium. Without
	// one, review.pdf answers 501 and the page's print button remains.
	Chromium string
	Logger   *slog.Logger
}

// UI serves the pages.
type UI struct {
	cfg   Config
	st    store.Store
	log   *slog.Logger
	codec codec
	pages map[string]*template.Template
	h     *gin.Engine
	// printing bounds the Chromium processes printing PDFs at once.
	printing chan struct{}
}

const (
	sessionCookie = "shenbao_session"
	loginCookie   = "shenbao_login"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
)

// New builds the UI.
func New(cfg Config) (*UI, error) {
	if cfg.Store == nil {
		return nil, errors.New("review: no store configured")
	}
	if len(cfg.SessionKey) == 0 {
		cfg.SessionKey = []byte(randomString(32))
	} else if len(cfg.SessionKey) < 32 {
		return nil, errors.New("review: the session key must have at least 32 bytes")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	u := &UI{cfg: cfg, st: cfg.Store, log: cfg.Logger, codec: codec{key: cfg.SessionKey, now: time.Now}, printing: make(chan struct{}, 2)}
	var err error
	if u.pages, err = parsePages(); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	u.h = gin.New()
	u.h.ContextWithFallback = true
	u.Register(u.h)
	return u, nil
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2006-01-02 15:04")
	},
	"statusName": func(s string) string { return statusNames[s] },
	"sevName":    func(s string) string { return severityNames[s] },
	"roleName":   func(s string) string { return roleNames[s] },
}

var (
	statusNames   = map[string]string{store.StatusQueued: "排队中", store.StatusProcessing: "识别中", store.StatusChecking: "检查中", store.StatusDone: "已完成", store.StatusFailed: "失败"}
	severityNames = map[string]string{shenbao.SeverityError: "错误", shenbao.SeverityWarning: "警告", shenbao.SeverityInfo: "提示"}
	roleNames     = map[string]string{store.RoleClerk: "经办员", store.RoleReviewer: "审核员", store.RoleAdmin: "管理员"}
)

// parsePages parses each page together with the layout, so that every page
// can define its own "main" block.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}

// Register adds the page routes ("/", "/login", "/logout", "/upload",
// "/applications…", "/static/…") to h.
func (u *UI) Register(h *gin.Engine) {
	h.Use(securityHeaders)
	static, _ := fs.Sub(staticFS, "static")
	h.GET("/static/*path", gin.WrapH(http.StripPrefix("/static/", staticHandler(http.FileServerFS(static)))))
	h.GET("/login", u.loginPage)
	h.POST("/login", u.login)
	h.POST("/logout", u.signedIn, u.logout)
	h.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/applications") })
	h.GET("/upload", u.signedIn, u.uploadPage)
	h.GET("/applications", u.signedIn, u.listPage)
	h.GET("/applications/:id", u.signedIn, u.readable, u.viewPage)
	h.GET("/applications/:id/opinion", u.signedIn, u.readable, u.opinionPage)
	h.GET("/applications/:id/review.pdf", u.signedIn, u.readable, u.opinionPDF)
}

// ServeHTTP serves the pages alone.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) { u.h.ServeHTTP(w, r) }

// Handler is the whole site: the pages, and everything else (the API under
// /api/v1, /healthz, /metrics…) passed to apiHandler through APISession.
func (u *UI) Handler(apiHandler API) http.Handler {
	withSession := u.APISession(apiHandler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isPage(r.URL.Path) {
			u.h.ServeHTTP(w, r)
			return
		}
		withSession.ServeHTTP(w, r)
	})
}

func isPage(p string) bool {
	switch p {
	case "/", "/login", "/logout", "/upload", "/applications":
		return true
	}
	return strings.HasPrefix(p, "/applications/") || strings.HasPrefix(p, "/static/")
}

// APISession lets the page's own fetch() calls use the browser session: a
// request without an Authorization header but with a valid session cookie
// reaches next carrying the session (API.WithBrowserSession), which the API accepts
// (unsafe methods only with the session's X-CSRF-Token header). A request
// with a missing or invalid cookie passes unchanged and meets the API's
// usual 401.
func (u *UI) APISession(next API) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			if s, user, err := u.session(r); err == nil {
				r = r.WithContext(next.WithBrowserSession(r.Context(), user, u.codec.checkCSRF(s, r.Header.Get(csrfHeader))))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// session returns the valid session of r and its user.
func (u *UI) session(r *http.Request) (session, *store.User, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, nil, errBadSession
	}
	s, err := u.codec.decode(ck.Value)
	if err != nil {
		return s, nil, err
	}
	user, err := u.st.UserByName(r.Context(), s.User)
	if err != nil {
		return s, nil, err
	}
	if user.ID != s.UserID || user.SessionVersion != s.Version {
		return s, nil, errBadSession
	}
	return s, user, nil
}

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	// No inline script or style anywhere, so the policy can be strict.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// staticHandler lets browsers cache the assets briefly; they change only
// with a new binary.
func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

const userKey = "review.user"
const sessKey = "review.session"

// signedIn sends anyone without a valid session to the sign-in page and
// checks the CSRF token of every form posted by those with one.
func (u *UI) signedIn(c *gin.Context) {
	s, user, err := u.session(c.Request)
	if err != nil {
		if shenbao.ErrorCode(err) != shenbao.ENOTFOUND && !errors.Is(err, errBadSession) {
			u.log.Error("session lookup", "err", err)
		}
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = "/applications"
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		c.Abort()
		return
	}
	if c.Request.Method == http.MethodPost && !u.codec.checkCSRF(s, c.PostForm(csrfField)) {
		u.errorPage(c, http.StatusForbidden, "页面已过期，请返回刷新后重试。/ The page has expired; go back, reload and try again.")
		return
	}
	c.Set(userKey, user)
	c.Set(sessKey, s)
	c.Next()
}

func currentUser(c *gin.Context) *store.User {
	v, _ := c.Get(userKey)
	user, _ := v.(*store.User)
	return user
}

// page is what the layout needs on every page.
type page struct {
	Title string
	User  *store.User
	CSRF  string
	Nav   string
	Data  any
	// PDF marks the page printed to PDF: stylesheet inlined, no scripts.
	PDF       bool
	InlineCSS template.CSS
}

func (u *UI) render(c *gin.Context, status int, name string, p page) {
	if p.User == nil {
		p.User = currentUser(c)
	}
	if v, ok := c.Get(sessKey); ok {
		p.CSRF = u.codec.csrf(v.(session))
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	if err := u.pages[name].ExecuteTemplate(c.Writer, "layout", p); err != nil {
		u.log.Error("render page", "page", name, "err", err)
	}
}

func (u *UI) errorPage(c *gin.Context, status int, msg string) {
	u.render(c, status, "error", page{Title: "出错了", Data: msg})
	c.Abort()
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/applications"
	}
	return next
}

func (u *UI) secure(r *http.Request) bool { return u.cfg.SecureCookies || r.TLS != nil }

func (u *UI) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: u.secure(c.Request), SameSite: http.SameSiteLaxMode})
}

type loginData struct {
	Token, Next, Name, Error string
}

func (u *UI) loginPage(c *gin.Context) {
	if _, _, err := u.session(c.Request); err == nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return
	}
	u.showLogin(c, http.StatusOK, loginData{Next: safeNext(c.Query("next"))})
}

func (u *UI) showLogin(c *gin.Context, status int, d loginData) {
	nonce := randomString(18)
	u.setCookie(c, loginCookie, nonce, 1800)
	d.Token = u.codec.loginToken(nonce)
	u.render(c, status, "login", page{Title: "登录", Data: d})
}

func (u *UI) login(c *gin.Context) {
	d := loginData{Next: safeNext(c.PostForm("next")), Name: strings.TrimSpace(c.PostForm("name"))}
	ck, err := c.Request.Cookie(loginCookie)
	if err != nil || c.PostForm(csrfField) == "" || c.PostForm(csrfField) != u.codec.loginToken(ck.Value) {
		d.Error = "登录页已过期，请重新输入。"
		u.showLogin(c, http.StatusForbidden, d)
		return
	}
	user, err := auth.Authenticate(c.Request.Context(), u.st, "", d.Name, c.PostForm("password"))
	if err != nil || d.Name == "" {
		if shenbao.ErrorCode(err) != shenbao.EUNAUTHORIZED && err != nil {
			u.log.Error("sign in", "err", err)
		}
		d.Error = "用户名或密码不正确。"
		// 200, not 401: the form is shown again, and a 401 document makes
		// browsers log a console error on every mistyped password.
		u.showLogin(c, http.StatusOK, d)
		return
	}
	s := session{UserID: user.ID, User: user.Name, Version: user.SessionVersion, Expires: time.Now().Add(u.cfg.SessionTTL).Unix(), Nonce: randomString(18)}
	v, err := u.codec.encode(s)
	if err != nil {
		u.errorPage(c, http.StatusInternalServerError, "内部错误，请联系管理员。/ Internal error; please contact the administrator.")
		return
	}
	u.setCookie(c, sessionCookie, v, int(u.cfg.SessionTTL/time.Second))
	u.setCookie(c, loginCookie, "", -1)
	u.audit(c.Request.Context(), user, "session.login")
	c.Redirect(http.StatusSeeOther, d.Next)
}

// logout ends the session on the server too: a copy of the cookie (a
// shared computer, a stolen one) stops working. It ends every session of
// the account, which is what a session version per user can do.
func (u *UI) logout(c *gin.Context) {
	u.setCookie(c, sessionCookie, "", -1)
	user := currentUser(c)
	if err := u.st.EndSessions(c.Request.Context(), user.ID, store.ActorOf(user)); err != nil {
		u.log.Error("sign out", "user", user.Name, "err", err)
		u.errorPage(c, http.StatusInternalServerError, "退出登录失败，请重试。/ Signing out failed; try again.")
		return
	}
	u.audit(c.Request.Context(), user, "session.logout")
	c.Redirect(http.StatusSeeOther, "/login")
}

func (u *UI) audit(ctx context.Context, user *store.User, action string) {
	if err := u.st.Audit(ctx, store.AuditEntry{UserID: user.ID, UserName: user.Name, Action: action}); err != nil {
		u.log.Error("audit", "action", action, "err", err)
	}
}

func (u *UI) uploadPage(c *gin.Context) {
	u.render(c, http.StatusOK, "upload", page{Title: "上传申报材料", Nav: "upload"})
}

const appKey = "review.application"

// readable loads the application in the path, answering 404 alike for
// "does not exist" and "not yours", as the API does.
func (u *UI) readable(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	notFound := func() { u.errorPage(c, http.StatusNotFound, "未找到该申报材料。/ No such application.") }
	if err != nil {
		notFound()
		return
	}
	ctx := c.Request.Context()
	ok, err := u.st.CanRead(ctx, currentUser(c), id)
	if err != nil || !ok {
		if err != nil {
			u.log.Error("can read", "application", id, "err", err)
		}
		notFound()
		return
	}
	app, err := u.st.Application(ctx, id)
	if err != nil {
		notFound()
		return
	}
	c.Set(appKey, app)
	c.Next()
}

func currentApp(c *gin.Context) *store.Application {
	v, _ := c.Get(appKey)
	return v.(*store.Application)
}

// CanReview reports whether role may correct values and decide on findings.
func CanReview(role string) bool { return role == store.RoleReviewer || role == store.RoleAdmin }

type viewData struct {
	App       *store.Application
	CanReview bool
}

func (u *UI) viewPage(c *gin.Context) {
	app := currentApp(c)
	title := app.ClusterName
	if title == "" {
		title = app.Filename
	}
	u.render(c, http.StatusOK, "view", page{Title: title, Nav: "list", Data: viewData{App: app, CanReview: CanReview(currentUser(c).Role)}})
}
