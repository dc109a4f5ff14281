package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
)

// Accepted is one file of an upload as answered with 202.
type Accepted struct {
	ID        int64  `json:"id"`
	Filename  string `json:"filename"`
	SHA256    string `json:"sha256"`
	Status    string `json:"status"`
	Duplicate bool   `json:"duplicate"` // this uploader sent the same bytes before
	URL       string `json:"url"`
	StatusURL string `json:"status_url"`
}

// spooled is an uploaded file written to a temporary file.
type spooled struct {
	name, path, sha, mime string
	size                  int64
}

func tooLarge(limit int64) error {
	return shenbao.Errorf(shenbao.ETOOLARGE, "上传内容超过 %s 的上限，请压缩或拆分后重新上传。/ The upload exceeds the %s limit; compress or split it and upload again.", size(limit), size(limit))
}

// size writes a limit for people: 100 MB, 64 KB.
func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(n>>10, 1))
}

// upload accepts one or many files (multipart field "file" or "files",
// optional fields "batch" and "region"). Every file is spooled, hashed and
// checked before any is stored: a request with one bad file stores nothing
// and answers that file's error.
func (s *Server) upload(c *gin.Context) {
	ctx := c.Request.Context()
	// The server's read timeout suits every other request; an upload's body
	// gets its own, generous deadline. A handler run outside an
	// http.Server (a test recorder) has no deadline to move.
	if err := http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(s.cfg.Timeouts.Upload)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.log.Warn("upload: set read deadline", "err", err)
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxRequestBytes)
	ct, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		s.fail(c, badRequest("请以 multipart/form-data 上传文件（字段名 file）。", `Upload files as multipart/form-data (field "file").`))
		return
	}
	var files []spooled
	defer func() {
		for _, f := range files {
			os.Remove(f.path)
		}
	}()
	var batch, region string
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.fail(c, uploadErr(err))
			return
		}
		switch part.FormName() {
		case "batch", "region":
			v, err := io.ReadAll(io.LimitReader(part, 1<<10))
			if err != nil {
				s.fail(c, uploadErr(err))
				return
			}
			if part.FormName() == "batch" {
				batch = strings.TrimSpace(string(v))
			} else {
				region = strings.TrimSpace(string(v))
			}
		case "file", "files":
			if len(files) == s.cfg.MaxFiles {
				s.fail(c, shenbao.Errorf(shenbao.ETOOLARGE, "一次最多上传 %d 个文件。/ At most %d files per upload.", s.cfg.MaxFiles, s.cfg.MaxFiles))
				return
			}
			f, err := s.spool(part)
			if f.path != "" {
				files = append(files, f)
			}
			if err != nil {
				s.fail(c, err)
				return
			}
		}
		part.Close()
	}
	if len(files) == 0 {
		s.fail(c, badRequest("请求中没有文件（字段名 file）。", `The request has no file (field "file").`))
		return
	}
	for i := range files {
		f := &files[i]
		r, err := os.Open(f.path)
		if err != nil {
			s.fail(c, fmt.Errorf("reopen upload: %w", err))
			return
		}
		f.mime, err = sniff(f.name, r, f.size)
		if err == nil && f.mime == MIMEDOCX {
			err = checkDOCX(ctx, f.name, r, f.size)
		}
		r.Close()
		if err != nil {
			s.fail(c, err)
			return
		}
	}
	u := user(c)
	out := make([]Accepted, 0, len(files))
	for _, f := range files {
		app, created, err := s.record(c, f, batch, region, u)
		if err != nil {
			s.fail(c, err)
			return
		}
		enqueue := created
		if !created && app.Status == store.StatusFailed {
			// Uploading a failed file again is how a clerk retries it.
			if enqueue, err = s.st.Requeue(ctx, app.ID, store.ActorOf(u)); err != nil {
				s.fail(c, err)
				return
			}
			app.Status = store.StatusQueued
		}
		if enqueue {
			// The answer does not wait for the job: enqueues are written in
			// group commits, and waiting for one was three quarters of an
			// upload's time under load (BenchmarkLoad's block profile).
			// Should it fail after the commit above, the queue's sweeper
			// enqueues the application later; the upload is not lost.
			go func(id int64) {
				if err := s.cfg.Queue.Extract(context.WithoutCancel(ctx), id); err != nil {
					s.log.Error("enqueue extract", "application", id, "err", err)
				}
			}(app.ID)
		}
		url := fmt.Sprintf("%s/applications/%d", Prefix, app.ID)
		out = append(out, Accepted{ID: app.ID, Filename: f.name, SHA256: f.sha, Status: app.Status, Duplicate: !created, URL: url, StatusURL: url})
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.uploads.Inc()
		}
	}
	c.JSON(http.StatusAccepted, gin.H{"applications": out})
}

// record stores the original of f and records its application. An
// original this upload stored but could not record is deleted again if
// nothing refers to it; one deleted between the two steps (with the last
// application of the same bytes) is stored again.
func (s *Server) record(c *gin.Context, f spooled, batch, region string, u *store.User) (*store.Application, bool, error) {
	ctx := c.Request.Context()
	if err := s.putOriginal(c, f); err != nil {
		return nil, false, err
	}
	app, created, err := s.st.CreateApplication(ctx, store.NewApplication{SHA256: f.sha, Filename: f.name, Size: f.size, MIME: f.mime, Batch: batch, Region: region}, store.ActorOf(u))
	if err != nil {
		if rerr := s.st.ReleaseOriginal(context.WithoutCancel(ctx), f.sha); rerr != nil {
			s.log.Error("release original of a failed upload", "sha256", f.sha, "err", rerr)
		}
		return nil, false, err
	}
	if ok, err := s.st.HasOriginal(ctx, f.sha); err != nil {
		return nil, false, err
	} else if !ok {
		if err := s.putOriginal(c, f); err != nil {
			return nil, false, err
		}
	}
	return app, created, nil
}

func (s *Server) putOriginal(c *gin.Context, f spooled) error {
	r, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("reopen upload: %w", err)
	}
	defer r.Close()
	return s.st.PutOriginal(c.Request.Context(), f.sha, r)
}

// spool copies one part to a temporary file, hashing it on the way and
// stopping one byte past the limit.
func (s *Server) spool(part *multipart.Part) (spooled, error) {
	name := cleanName(part.FileName())
	tmp, err := os.CreateTemp(s.cfg.TempDir, "shenbao-upload-*")
	if err != nil {
		return spooled{}, shenbao.NoSpace(fmt.Errorf("spool upload: %w", err))
	}
	f := spooled{name: name, path: tmp.Name()}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(part, s.cfg.MaxUploadBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return f, uploadErr(shenbao.NoSpace(err))
	}
	if n > s.cfg.MaxUploadBytes {
		lim := size(s.cfg.MaxUploadBytes)
		return f, shenbao.Errorf(shenbao.ETOOLARGE, "文件 %s 超过 %s 的上限，请压缩图片或拆分后重新上传。/ File %s exceeds the %s limit; compress its images or split it and upload again.", name, lim, name, lim)
	}
	f.size, f.sha = n, hex.EncodeToString(h.Sum(nil))
	return f, nil
}

func uploadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	if shenbao.ErrorCode(err) == shenbao.ENOSPACE {
		return err
	}
	return shenbao.Wrap(shenbao.EINVALID, err, "上传的请求不完整或格式错误，请重新上传。/ The upload request is incomplete or malformed; upload again.")
}

// cleanName keeps the base name of what the client called the file, fit to
// show (shenbao.ShownName) and of sane length; it is only ever shown, never
// used as a path.
func cleanName(name string) string {
	name = shenbao.ShownName(name)
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
