package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
)

// statuses maps every shenbao error code to its HTTP status; it is the one
// place where errors become statuses (TestEveryCodeHasAStatus keeps it
// complete).
var statuses = map[string]int{
	shenbao.ECONFLICT:     http.StatusConflict,
	shenbao.EINTERNAL:     http.StatusInternalServerError,
	shenbao.EINVALID:      http.StatusUnprocessableEntity,
	shenbao.ENOTFOUND:     http.StatusNotFound,
	shenbao.EUNAUTHORIZED: http.StatusUnauthorized,
	shenbao.EFORBIDDEN:    http.StatusForbidden,
	shenbao.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	shenbao.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	shenbao.EENCRYPTED:    http.StatusUnprocessableEntity,
	shenbao.ETIMEOUT:      http.StatusGatewayTimeout,
	shenbao.ECRASHED:      http.StatusUnprocessableEntity,
	shenbao.ENEEDSOCR:     http.StatusUnprocessableEntity,
	shenbao.ENOTINSTALLED: http.StatusNotImplemented,
	shenbao.EKILLED:       http.StatusServiceUnavailable,
	shenbao.ENOSPACE:      http.StatusInsufficientStorage,
	shenbao.ETHROTTLED:    http.StatusTooManyRequests,
}

// ErrorStatus returns the HTTP status for err.
func ErrorStatus(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	if s, ok := statuses[shenbao.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and the bilingual message of an error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func detail(err error) ErrorDetail {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = tooLarge(mbe.Limit)
	}
	return ErrorDetail{Code: shenbao.ErrorCode(err), Message: shenbao.ErrorMessage(err)}
}

// fail writes err as the response and logs it; the cause goes only to the
// log.
func (s *Server) fail(c *gin.Context, err error) {
	status := ErrorStatus(err)
	level := slog.LevelInfo
	switch code := shenbao.ErrorCode(err); {
	case code == shenbao.EKILLED:
		// The server's trouble (memory), not the request's nor a bug.
		level = slog.LevelWarn
	case status >= 500:
		level = slog.LevelError
	}
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.fault(err)
	}
	s.log.Log(c.Request.Context(), level, "request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "err", err)
	c.AbortWithStatusJSON(status, ErrorBody{Error: detail(err)})
}

func badRequest(zh, en string) error {
	return shenbao.Errorf(shenbao.EINVALID, "%s / %s", zh, en)
}

var (
	errForbidden = shenbao.Errorf(shenbao.EFORBIDDEN, "当前角色无权执行此操作。/ Your role may not do this.")
	errNotFound  = shenbao.Errorf(shenbao.ENOTFOUND, "未找到该申报材料。/ No such application.")
	errNoToken   = shenbao.Errorf(shenbao.ENOTFOUND, "未找到该令牌。/ No such token.")
)
