package soffice

import (
	"context"
	"errors"
	"testing"

	"github.com/shenbao/shenbao"
)

func TestNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	c := &Converter{}
	_, err := c.Convert(context.Background(), []byte("x"), "doc")
	var se *shenbao.Error
	if !errors.As(err, &se) || se.Code != shenbao.ENOTINSTALLED {
		t.Fatalf("err = %v, want %s", err, shenbao.ENOTINSTALLED)
	}
}

func TestGarbage(t *testing.T) {
	c := &Converter{}
	if !c.Available() {
		t.Skip("LibreOffice not installed")
	}
	_, err := c.Convert(context.Background(), []byte("not a word file at all"), "doc")
	if err == nil {
		// LibreOffice imports unknown bytes as plain text; that is a
		// conversion, and the docx reader then finds no edition.
		return
	}
	var se *shenbao.Error
	if !errors.As(err, &se) {
		t.Fatalf("untyped error %v", err)
	}
}
