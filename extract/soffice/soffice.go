// Package soffice converts legacy Word (.doc) and WPS (.wps) files to .docx
// with LibreOffice, run headless in a throwaway profile and directory with a
// time limit, so the docx reader can read them.
package soffice

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/shenbao/shenbao"
)

// Converter runs LibreOffice. The zero value looks it up on PATH.
type Converter struct {
	// Binary is the soffice executable; "" finds soffice or libreoffice.
	Binary  string
	Timeout time.Duration
}

func (c *Converter) binary() (string, error) {
	if c.Binary != "" {
		return c.Binary, nil
	}
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", shenbao.Errorf(shenbao.ENOTINSTALLED, "读取旧版 .doc/.wps 文件需要 LibreOffice，请安装：apt-get install -y libreoffice-writer-nogui；或在 Word/WPS 中另存为 .docx 后上传。/ Reading legacy .doc/.wps files needs LibreOffice: apt-get install -y libreoffice-writer-nogui; or save the file as .docx in Word/WPS and upload that.")
}

// Available reports whether LibreOffice can be found.
func (c *Converter) Available() bool {
	_, err := c.binary()
	return err == nil
}

// Convert turns data (a .doc or .wps; ext names which) into .docx bytes.
func (c *Converter) Convert(ctx context.Context, data []byte, ext string) ([]byte, error) {
	bin, err := c.binary()
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 120 * time.Second
	}
	dir, err := os.MkdirTemp("", "shenbao-soffice-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "input."+ext)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, fmt.Errorf("write input: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A private profile: concurrent conversions must not share one, and a
	// user's settings must not change the result.
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", dir, in)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return nil, shenbao.Wrap(shenbao.ETIMEOUT, ctx.Err(), "LibreOffice 转换 .%s 文件超时。/ LibreOffice timed out converting the .%s file.", ext, ext)
	}
	if err != nil {
		return nil, shenbao.Wrap(shenbao.EINVALID, fmt.Errorf("%w: %s", err, out), "LibreOffice 无法转换此 .%s 文件，文件可能已损坏。/ LibreOffice could not convert this .%s file; it may be damaged.", ext, ext)
	}
	docx, err := os.ReadFile(filepath.Join(dir, "input.docx"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, shenbao.Wrap(shenbao.EINVALID, fmt.Errorf("no output: %s", out), "LibreOffice 未能转换此 .%s 文件，文件可能已损坏。/ LibreOffice produced nothing for this .%s file; it may be damaged.", ext, ext)
	}
	return docx, err
}
