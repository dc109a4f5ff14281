package shenbao

import (
	"errors"
	"fmt"
	"syscall"
)

// Error codes. Each maps to one HTTP status in package api and to one exit
// status in the CLI; new codes are added here and nowhere else.
const (
	ECONFLICT     = "conflict"      // the request clashes with stored state
	EINTERNAL     = "internal"      // a bug or an unexpected failure
	EINVALID      = "invalid"       // malformed input: corrupt, truncated, a bomb
	ENOTFOUND     = "not_found"     // no such application, page or field
	EUNAUTHORIZED = "unauthorized"  // no or bad credentials
	EFORBIDDEN    = "forbidden"     // the role may not do this
	EUNSUPPORTED  = "unsupported"   // not a PDF, docx, doc or wps by content
	ETOOLARGE     = "too_large"     // over a size, page or memory limit
	EENCRYPTED    = "encrypted"     // password-protected document
	ETIMEOUT      = "timeout"       // a stage ran past its time limit
	ECRASHED      = "crashed"       // the isolated child process died
	ENEEDSOCR     = "needs_ocr"     // a PDF without a usable text layer and no OCR engine
	ENOTINSTALLED = "not_installed" // a helper program (LibreOffice) is missing
	EKILLED       = "killed"        // a child process was killed from outside (the OOM killer)
	ENOSPACE      = "no_space"      // the server's disk is full
	ETHROTTLED    = "throttled"     // too many failed sign-ins; try again later
)

// NoSpace returns err as an ENOSPACE *Error when the disk ran full (ENOSPC,
// or the user's quota: EDQUOT), and err unchanged otherwise: an upload
// that could not be written is the server's fault, not a malformed request.
func NoSpace(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Wrap(ENOSPACE, err, "服务器磁盘已满，无法保存文件，请稍后重试并通知管理员。/ The server's disk is full and the file could not be saved; try again later and tell the administrator.")
	}
	return err
}

// Error is the one error type shown to users. Message is bilingual text that
// says what went wrong and how to fix it; Cause, when set, is kept for the
// log and never shown to clients.
type Error struct {
	Code    string
	Message string // 中文 / English
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("shenbao error: code=%s message=%s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("shenbao error: code=%s message=%s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and message that keeps cause
// for the log.
func Wrap(code string, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the *Error's message,
// or a generic bilingual one for anything else (whose detail belongs in the
// log, not in front of a user).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "内部错误，请联系管理员。/ Internal error; please contact the administrator."
}
