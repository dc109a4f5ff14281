package layout

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layout sits below the readers: it maps what any of them produced and
// imports none of them (the marks they write are shenbao's vocabulary).
func TestNoReaderImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/shenbao/shenbao/") && !strings.HasPrefix(p, "github.com/shenbao/shenbao/layout") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
