package langfuse_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The public surface, as go doc shows it: the packages a user imports, and
// what each must not export any more (API.md, third wave).
var surfacePackages = map[string][]string{
	".":            {"IngestionPath", "Client.DroppedSpans", "WithDefault"},
	"observe":      {"AutoCapture"},
	"tracing":      {"Headers", "Tracer", "IsKnownLLMScope", "ConsoleExporter.ExportScore"},
	"config":       nil,
	"capture":      nil,
	"semconv":      nil,
	"prompt":       nil,
	"langfusetest": nil,
	"experiment":   nil,
}

// apiName is one exported name of a package as go doc lists it: its
// name (Type.Method for methods), its doc comment, and the expressions
// a user reads in its declaration.
type apiName struct {
	name  string
	doc   string
	exprs []ast.Node
	file  *ast.File
	group bool // one of several names of a const or var declaration
}

// surfaceOf parses the non-test files of the package in dir and returns
// its exported names.
func surfaceOf(t *testing.T, dir string) []apiName {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []apiName
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			out = append(out, exportedOf(f, d)...)
		}
	}
	return out
}

func exportedOf(f *ast.File, d ast.Decl) []apiName {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() {
			return nil
		}
		name := d.Name.Name
		if d.Recv != nil {
			recv := receiverName(d.Recv.List[0].Type)
			if !ast.IsExported(recv) {
				return nil
			}
			name = recv + "." + name
		}
		return []apiName{{name: name, doc: d.Doc.Text(), exprs: []ast.Node{d.Type}, file: f}}
	case *ast.GenDecl:
		var out []apiName
		for _, spec := range d.Specs {
			switch s := spec.(type) {
			case *ast.TypeSpec:
				if !s.Name.IsExported() {
					continue
				}
				doc := s.Doc.Text()
				if doc == "" && len(d.Specs) == 1 {
					doc = d.Doc.Text()
				}
				out = append(out, apiName{name: s.Name.Name, doc: doc, exprs: []ast.Node{visibleType(s.Type)}, file: f})
			case *ast.ValueSpec:
				doc := s.Doc.Text()
				if doc == "" {
					doc = d.Doc.Text() // a group's comment documents its names
				}
				for _, n := range s.Names {
					if !n.IsExported() {
						continue
					}
					var exprs []ast.Node
					if s.Type != nil {
						exprs = append(exprs, s.Type)
					}
					for _, v := range s.Values {
						exprs = append(exprs, v)
					}
					out = append(out, apiName{name: n.Name, doc: doc, exprs: exprs, file: f, group: len(d.Specs) > 1 || len(s.Names) > 1})
				}
			}
		}
		return out
	}
	return nil
}

// visibleType is t as go doc shows it: a struct's unexported fields and
// an interface's unexported methods are hidden.
func visibleType(t ast.Expr) ast.Node {
	var fields *ast.FieldList
	switch t := t.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		return t
	}
	visible := &ast.FieldList{}
	for _, f := range fields.List {
		if len(f.Names) == 0 {
			if id, ok := f.Type.(*ast.Ident); ok && !id.IsExported() {
				continue // an embedded unexported type
			}
			visible.List = append(visible.List, f)
			continue
		}
		for _, n := range f.Names {
			if n.IsExported() {
				visible.List = append(visible.List, f)
				break
			}
		}
	}
	return visible
}

func receiverName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverName(e.X)
	case *ast.IndexExpr:
		return receiverName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}

// internalRefs returns the internal packages that the expressions of x
// name, by their import paths.
func internalRefs(x apiName) []string {
	imports := map[string]string{}
	for _, imp := range x.file.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndexByte(path, '/')+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imports[name] = path
	}
	var refs []string
	for _, e := range x.exprs {
		ast.Inspect(e, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && strings.Contains(imports[id.Name]+"/", "/internal/") {
					refs = append(refs, imports[id.Name]+"."+sel.Sel.Name)
				}
			}
			return true
		})
	}
	return refs
}

// TestPublicSurface reads the public packages as go doc shows them: no
// exported name is declared with a type or value of an internal package,
// which a user could neither open nor name; the names API.md removed
// are gone; and every exported name has a doc comment that starts with
// its name (a name in a documented group of constants or variables may
// share the group's comment).
func TestPublicSurface(t *testing.T) {
	for dir, removed := range surfacePackages {
		t.Run(dir, func(t *testing.T) {
			names := map[string]bool{}
			for _, x := range surfaceOf(t, dir) {
				names[x.name] = true
				assert.Empty(t, internalRefs(x), "%s names an internal package in go doc", x.name)
				if x.doc == "" {
					assert.Fail(t, "no doc comment", "%s.%s", dir, x.name)
					continue
				}
				short := x.name[strings.LastIndexByte(x.name, '.')+1:]
				if !x.group && !startsWithName(x.doc, short) {
					assert.Fail(t, "the doc comment does not start with the name", "%s.%s: %q", dir, x.name, firstLine(x.doc))
				}
			}
			for _, name := range removed {
				assert.False(t, names[name], "%s is no longer part of the public API (API.md, third wave)", name)
			}
		})
	}
}

// startsWithName reports whether doc starts with name, perhaps after an
// article, as Go doc comments do ("A Client is ...").
func startsWithName(doc, name string) bool {
	for _, article := range []string{"", "A ", "An ", "The "} {
		rest, ok := strings.CutPrefix(doc, article+name)
		if ok && (rest == "" || !unicode.IsLetter(rune(rest[0])) && !unicode.IsDigit(rune(rest[0]))) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
