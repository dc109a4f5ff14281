package api_test

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
)

// errorCodes reads the E* constants of the root package's error.go, so that
// a code added there without a status here fails this test.
func errorCodes(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "../error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			for _, v := range s.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					c, _ := strconv.Unquote(lit.Value)
					codes = append(codes, c)
				}
			}
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found only %d error codes in ../error.go", len(codes))
	}
	return codes
}

func TestEveryCodeHasAStatus(t *testing.T) {
	want := map[string]int{
		shenbao.ETOOLARGE:     413,
		shenbao.EUNSUPPORTED:  415,
		shenbao.EINVALID:      422,
		shenbao.EENCRYPTED:    422,
		shenbao.EUNAUTHORIZED: 401,
		shenbao.EFORBIDDEN:    403,
		shenbao.ENOTFOUND:     404,
		shenbao.ECONFLICT:     409,
		shenbao.EINTERNAL:     500,
	}
	for _, code := range errorCodes(t) {
		got := api.ErrorStatus(shenbao.Errorf(code, "x"))
		if got == http.StatusInternalServerError && code != shenbao.EINTERNAL {
			t.Errorf("code %q has no status of its own in api/errors.go", code)
		}
		if w, ok := want[code]; ok && got != w {
			t.Errorf("code %q: status %d, want %d", code, got, w)
		}
	}
	if got := api.ErrorStatus(errors.New("plain")); got != 500 {
		t.Errorf("plain error: %d, want 500", got)
	}
	if got := api.ErrorStatus(&http.MaxBytesError{Limit: 10}); got != 413 {
		t.Errorf("MaxBytesError: %d, want 413", got)
	}
}

// TestOpenAPICoversRoutes keeps the served document and the routes in step.
func TestOpenAPICoversRoutes(t *testing.T) {
	srv := api.New(api.Config{Metrics: api.NewMetrics()})
	var doc struct {
		Paths       map[string]map[string]json.RawMessage `json:"paths"`
		Unversioned map[string]string                     `json:"x-unversioned-paths"`
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", api.Prefix+"/openapi.json", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([a-z]+)`)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	served := map[string]bool{}
	for _, r := range srv.Routes() {
		method, path := r[0], r[1]
		if p, ok := strings.CutPrefix(path, api.Prefix); ok {
			p = param.ReplaceAllString(p, "{$1}")
			p = strings.Replace(p, "/fields/{field}", "/fields/{fieldId}", 1)
			served[method+" "+p] = true
			if !documented[method+" "+p] {
				t.Errorf("route %s %s is not in openapi.json", method, p)
			}
		} else if _, ok := doc.Unversioned[path]; !ok {
			t.Errorf("route %s %s is not in openapi.json's x-unversioned-paths", method, path)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("openapi.json documents %s, which is not served", op)
		}
	}
}
