// Package soffice converts legacy Word (.doc) and WPS (.wps) files to .docx
// with LibreOffice, run headless in a throwaway profile and directory with a
// time limit, so the docx reader can read them; and Word files to PDF, as
// offices export them, for the tests that hold the PDF reader to the docx
// reader.
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
	out, err := c.convert(ctx, [][]byte{data}, ext, "docx:MS Word 2007 XML", "docx")
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ToPDF exports docs (Word files; ext names their kind: docx, doc, odt…)
// as PDF with LibreOffice's default PDF export, the way clerks' offices
// make the digital PDFs they send. One LibreOffice run converts them all:
// its start-up costs seconds, each document about one more; the time limit
// is Timeout per document.
func (c *Converter) ToPDF(ctx context.Context, docs [][]byte, ext string) ([][]byte, error) {
	return c.convert(ctx, docs, ext, "pdf", "pdf")
}

// convert runs LibreOffice's --convert-to with filter on every input and
// returns the files it writes with extension outExt, in the same order.
func (c *Converter) convert(ctx context.Context, inputs [][]byte, ext, filter, outExt string) ([][]byte, error) {
	bin, err := c.binary()
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 120 * time.Second
	}
	timeout *= time.Duration(max(len(inputs), 1))
	dir, err := os.MkdirTemp("", "shenbao-soffice-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	var ins []string
	for i, data := range inputs {
		in := filepath.Join(dir, fmt.Sprintf("input%d.%s", i, ext))
		if err := os.WriteFile(in, data, 0o600); err != nil {
			return nil, fmt.Errorf("write input: %w", err)
		}
		ins = append(ins, in)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A private profile: concurrent conversions must not share one, and a
	// user's settings must not change the result.
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", filter, "--outdir", dir}, ins...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return nil, shenbao.Wrap(shenbao.ETIMEOUT, ctx.Err(), "LibreOffice 转换 .%s 文件超时。/ LibreOffice timed out converting the .%s file.", ext, ext)
	}
	if err != nil {
		return nil, shenbao.Wrap(shenbao.EINVALID, fmt.Errorf("%w: %s", err, out), "LibreOffice 无法转换此 .%s 文件，文件可能已损坏。/ LibreOffice could not convert this .%s file; it may be damaged.", ext, ext)
	}
	res := make([][]byte, len(ins))
	for i := range ins {
		res[i], err = os.ReadFile(filepath.Join(dir, fmt.Sprintf("input%d.%s", i, outExt)))
		if errors.Is(err, os.ErrNotExist) {
			return nil, shenbao.Wrap(shenbao.EINVALID, fmt.Errorf("no output: %s", out), "LibreOffice 未能转换此 .%s 文件，文件可能已损坏。/ LibreOffice produced nothing for this .%s file; it may be damaged.", ext, ext)
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}
