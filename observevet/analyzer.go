package observevet

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Analyzer reports the misuses of github.com/observe-go/langfuse described
// in the package documentation. It is safe for concurrent use by the
// drivers of golang.org/x/tools/go/analysis.
var Analyzer = &analysis.Analyzer{
	Name: "observevet",
	Doc: `report misuses of github.com/observe-go/langfuse that split or lose traces

observevet reports context.Background() or context.TODO() inside a function
given to a langfuse wrapper or to langfuse.Run, a ctx from observe.Start that
is discarded or never used, an observation that is not ended on every path,
and a langfuse.New in func main whose client is never shut down.`,
	Requires: []*analysis.Analyzer{inspect.Analyzer, ctrlflow.Analyzer},
	Run:      run,
}

// The import paths of the packages whose functions the checks look for.
const (
	langfusePath = "github.com/observe-go/langfuse"
	observePath  = "github.com/observe-go/langfuse/observe"
)

// checker holds what the checks of one package share.
type checker struct {
	pass *analysis.Pass
	// decls finds the body of a function of this package passed by name.
	decls map[*types.Func]*ast.FuncDecl
	// reported keeps a call to context.Background found through two
	// wrappers (a wrapped literal inside another) from being reported twice.
	reported map[token.Pos]bool
	// funcs collects, per function, the variables whose flow is checked on
	// its control-flow graph once every call has been seen.
	funcs map[ast.Node]*funcVars
	order []*funcVars
}

func run(pass *analysis.Pass) (any, error) {
	if !importsLangfuse(pass.Pkg) {
		return nil, nil
	}
	c := &checker{
		pass:     pass,
		reported: make(map[token.Pos]bool),
		funcs:    make(map[ast.Node]*funcVars),
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.WithStack([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		call := n.(*ast.CallExpr)
		fn := calledFunc(pass.TypesInfo, call)
		if fn == nil {
			return true
		}
		switch {
		case wrapperFuncArg(fn) >= 0:
			c.checkWrapped(call, wrapperFuncArg(fn))
		case startKindOf(fn) != nil:
			c.checkStart(call, startKindOf(fn), stack)
		case isFunc(fn, langfusePath, "New"):
			c.checkNew(call, stack)
		}
		return true
	})
	c.checkFlows()
	return nil, nil
}

// importsLangfuse reports whether pkg imports either package the checks
// look for, directly: the wrappers, observe and New are only ever called by
// name through an import.
func importsLangfuse(pkg *types.Package) bool {
	for _, imp := range pkg.Imports() {
		switch pkgPath(imp) {
		case langfusePath, observePath:
			return true
		}
	}
	return false
}

// pkgPath is p's import path with any vendor directory prefix removed.
func pkgPath(p *types.Package) string {
	path := p.Path()
	if i := strings.LastIndex(path, "/vendor/"); i >= 0 {
		return path[i+len("/vendor/"):]
	}
	return strings.TrimPrefix(path, "vendor/")
}

// calledFunc is the function or method a call statically calls, generic
// ones as declared, or nil (a func value, a builtin, a conversion).
func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	fn := typeutil.StaticCallee(info, call)
	if fn == nil || fn.Pkg() == nil {
		return nil
	}
	return fn.Origin()
}

// isFunc reports whether fn is the package-level function path.name.
func isFunc(fn *types.Func, path, name string) bool {
	sig, ok := fn.Type().(*types.Signature)
	return ok && sig.Recv() == nil && fn.Name() == name && fn.Pkg() != nil && pkgPath(fn.Pkg()) == path
}

// isMethod reports whether fn is the method name of path.recv or *path.recv.
func isMethod(fn *types.Func, path, recv, name string) bool {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil || fn.Name() != name {
		return false
	}
	return isNamed(sig.Recv().Type(), path, recv)
}

// isNamed reports whether t is path.name or a pointer to it.
func isNamed(t types.Type, path, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Origin().Obj()
	return obj.Name() == name && obj.Pkg() != nil && pkgPath(obj.Pkg()) == path
}

// isContextRoot reports whether call is context.Background() or
// context.TODO(), and which.
func isContextRoot(info *types.Info, call *ast.CallExpr) (string, bool) {
	fn := calledFunc(info, call)
	if fn == nil {
		return "", false
	}
	for _, name := range []string{"Background", "TODO"} {
		if isFunc(fn, "context", name) {
			return name, true
		}
	}
	return "", false
}

// enclosingFunc is the innermost function (a *ast.FuncDecl or *ast.FuncLit)
// in stack, with its type and body, or nil.
func enclosingFunc(stack []ast.Node) (ast.Node, *ast.FuncType, *ast.BlockStmt) {
	for i := len(stack) - 1; i >= 0; i-- {
		switch f := stack[i].(type) {
		case *ast.FuncLit:
			return f, f.Type, f.Body
		case *ast.FuncDecl:
			return f, f.Type, f.Body
		}
	}
	return nil, nil, nil
}

// parentOf is the node above stack's top, skipping parentheses, and the
// node it holds in its place.
func parentOf(stack []ast.Node) (parent, child ast.Node) {
	child = stack[len(stack)-1]
	for i := len(stack) - 2; i >= 0; i-- {
		if _, ok := stack[i].(*ast.ParenExpr); !ok {
			return stack[i], child
		}
		child = stack[i]
	}
	return nil, child
}

// assignedTo is the expression on the left that receives result i of call,
// when call is the only value on the right of an assignment or a var
// declaration; ok is false in any other place.
func assignedTo(parent, child ast.Node, i int) (lhs ast.Expr, ok bool) {
	switch p := parent.(type) {
	case *ast.AssignStmt:
		if len(p.Rhs) == 1 && p.Rhs[0] == child && i < len(p.Lhs) {
			return p.Lhs[i], true
		}
	case *ast.ValueSpec:
		if len(p.Values) == 1 && p.Values[0] == child && i < len(p.Names) {
			return p.Names[i], true
		}
	}
	return nil, false
}

// isBlank reports whether e is the blank identifier.
func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// localVar is the variable e names when it is declared inside fn (not a
// package-level variable, not one captured from an enclosing function).
func (c *checker) localVar(e ast.Expr, fnType *ast.FuncType) *types.Var {
	id, ok := e.(*ast.Ident)
	if !ok {
		return nil
	}
	v, ok := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
	if !ok || v.IsField() {
		return nil
	}
	scope := c.pass.TypesInfo.Scopes[fnType]
	if scope == nil || !scope.Contains(v.Pos()) {
		return nil
	}
	return v
}
