package main

import (
	"fmt"
	"net/http"

	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/review"
	"github.com/shenbao/shenbao/throttle"
)

// renderer renders page images of stored PDFs and scans for the reviewer,
// with MuPDF in a child process.
func (m *Main) renderer() api.PageRenderer { return render.Options{} }

// site mounts the reviewer's pages beside the API: one handler for the
// whole site, the pages' session accepted by the API.
func (m *Main) site(apiHandler review.API, svc *service, sessionKey string, secure bool, signIns *throttle.SignIn) (http.Handler, error) {
	ui, err := review.New(review.Config{Store: svc.st, SessionKey: []byte(sessionKey), SecureCookies: secure, Logger: svc.log, Throttle: signIns})
	if err != nil {
		return nil, fmt.Errorf("review pages: %w", err)
	}
	return ui.Handler(apiHandler), nil
}
