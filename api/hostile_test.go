package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

func zipOf(t *testing.T, parts map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// padded returns a well-formed PDF of n bytes.
func padded(pdf []byte, n int) []byte {
	return append(append([]byte{}, pdf[:9]...), append(bytes.Repeat([]byte(" "), n-len(pdf)), pdf[9:]...)...)
}

func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

// TestHostileUploads sends every kind of bad file and checks the typed
// status, the bilingual message, that no cause leaks, and that nothing was
// stored.
func TestHostileUploads(t *testing.T) {
	const limit = 64 << 10
	e := newEnv(t, store.Config{DataDir: t.TempDir()}, realPipeline(t), func(c *api.Config, _ *queue.Config) {
		c.MaxUploadBytes, c.MaxRequestBytes, c.MaxFiles = limit, 2*limit, 3
	})
	good := sample(t)
	pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	ole := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	docxWith := func(doc []byte) []byte {
		return zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "word/document.xml": doc})
	}
	for _, tc := range []struct {
		name   string
		files  []file
		status int
		code   string
	}{
		{"over the size limit", []file{{"big.pdf", append(append([]byte{}, pdf...), bytes.Repeat([]byte(" "), limit)...)}}, 413, shenbao.ETOOLARGE},
		{"request over its limit", []file{{"a.pdf", padded(pdf, limit-1000)}, {"b.pdf", padded(pdf, limit-1001)}, {"c.pdf", padded(pdf, limit-1002)}}, 413, shenbao.ETOOLARGE},
		{"too many files", []file{{"a.pdf", pdf}, {"b.pdf", pdf}, {"c.pdf", pdf}, {"d.pdf", pdf}}, 413, shenbao.ETOOLARGE},
		{"plain text named .pdf", []file{{"note.pdf", []byte("这不是 PDF")}}, 415, shenbao.EUNSUPPORTED},
		{"gif named .docx", []file{{"scan.docx", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")}}, 415, shenbao.EUNSUPPORTED},
		{"png cut after its header", []file{{"scan.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}}, 422, shenbao.EINVALID},
		{"xlsx", []file{{"table.docx", zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "xl/workbook.xml": []byte("<workbook/>")})}}, 415, shenbao.EUNSUPPORTED},
		{"empty", []file{{"empty.pdf", nil}}, 422, shenbao.EINVALID},
		{"truncated pdf", []file{{"cut.pdf", pdf[:40]}}, 422, shenbao.EINVALID},
		{"encrypted pdf", []file{{"locked.pdf", []byte("%PDF-1.7\ntrailer << /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF\n")}}, 422, shenbao.EENCRYPTED},
		{"encrypted office file", []file{{"locked.docx", append(append(ole, make([]byte, 600)...), utf16("EncryptedPackage")...)}}, 422, shenbao.EENCRYPTED},
		{"corrupt zip", []file{{"broken.docx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff}, 300)...)}}, 422, shenbao.EINVALID},
		{"docx without a body", []file{{"hollow.docx", zipOf(t, map[string][]byte{"word/styles.xml": []byte("<styles/>")})}}, 422, shenbao.EINVALID},
		{"zip bomb", []file{{"bomb.docx", docxWith(make([]byte, 8<<20))}}, 422, shenbao.EINVALID},
		{"xml entity bomb", []file{{"lol.docx", docxWith([]byte(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>`))}}, 422, shenbao.EINVALID},
		{"one bad file spoils the batch", []file{{"good.docx", good}, {"bad.pdf", []byte("not a pdf")}}, 415, shenbao.EUNSUPPORTED},
		{"no file", nil, 422, shenbao.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, data := e.upload("clerk", tc.files, map[string]string{"batch": "hostile"})
			var body api.ErrorBody
			if err := json.Unmarshal(data, &body); err != nil {
				t.Fatalf("status %d, body %q: %v", status, data, err)
			}
			if status != tc.status || body.Error.Code != tc.code {
				t.Fatalf("status %d code %q, want %d %q: %s", status, body.Error.Code, tc.status, tc.code, body.Error.Message)
			}
			zh, en, ok := strings.Cut(body.Error.Message, "/ ")
			if !ok || !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) || !strings.ContainsFunc(en, unicode.IsUpper) {
				t.Errorf("message is not 中文 / English: %q", body.Error.Message)
			}
			if strings.Contains(body.Error.Message, "shenbao error") || strings.Contains(body.Error.Message, "multipart") || strings.Contains(body.Error.Message, " 0 MB") {
				t.Errorf("message leaks internals: %q", body.Error.Message)
			}
		})
	}
	status, data := e.do("POST", api.Prefix+"/applications", "clerk", strings.NewReader("{}"), "application/json")
	if status != http.StatusUnprocessableEntity {
		t.Errorf("JSON instead of multipart: %d %s", status, data)
	}
	var l api.List
	e.json("GET", api.Prefix+"/applications", "admin", nil, http.StatusOK, &l)
	if l.Total != 0 {
		t.Fatalf("refused uploads stored %d applications", l.Total)
	}
	// And a good one still goes through.
	if acc := e.mustUpload("clerk", []file{{"good.docx", good}}, nil); e.wait(acc[0].ID, time.Minute).Application.Status != store.StatusDone {
		t.Fatal("good upload after the hostile ones was not processed")
	}
}
