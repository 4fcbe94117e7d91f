package observevet

import (
	"go/ast"
	"go/types"
)

// wrapperFuncArg is the index of the function argument of a langfuse
// wrapper or of langfuse.Run, or -1 when fn is neither.
func wrapperFuncArg(fn *types.Func) int {
	if fn.Pkg() == nil || pkgPath(fn.Pkg()) != langfusePath {
		return -1
	}
	switch fn.Name() {
	case "ObserveCtx", "Observe1", "Observe2", "Observe3", "ObserveErr", "ObserveErr1", "ObserveSeq":
		if isFunc(fn, langfusePath, fn.Name()) {
			return 1
		}
	case "Run":
		if isFunc(fn, langfusePath, fn.Name()) {
			return 2
		}
	}
	return -1
}

// checkWrapped reports context.Background() and context.TODO() in the body
// of the function a wrapper or Run is given: the wrapper hands that
// function a ctx holding the new observation, and work started from a
// fresh context instead begins a trace of its own.
func (c *checker) checkWrapped(call *ast.CallExpr, arg int) {
	if arg >= len(call.Args) {
		return
	}
	ftype, body := c.funcBody(call.Args[arg])
	if body == nil || ftype.Params == nil || len(ftype.Params.List) == 0 {
		return
	}
	first := ftype.Params.List[0]
	if !isNamed(c.pass.TypesInfo.TypeOf(first.Type), "context", "Context") {
		return
	}
	ctxName := ""
	if len(first.Names) > 0 && first.Names[0].Name != "_" {
		ctxName = first.Names[0].Name
	}
	ast.PreorderStack(body, nil, func(n ast.Node, stack []ast.Node) bool {
		inner, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		root, ok := isContextRoot(c.pass.TypesInfo, inner)
		if !ok || c.reported[inner.Pos()] || c.boundsClient(inner, stack) {
			return true
		}
		c.reported[inner.Pos()] = true
		if ctxName != "" {
			c.pass.ReportRangef(inner, "pass %s instead of context.%s(): the work would start a new trace instead of nesting under this observation (use context.WithoutCancel(%s) for work that outlives the call)", ctxName, root, ctxName)
		} else {
			c.pass.ReportRangef(inner, "name the context.Context parameter and pass it instead of context.%s(): the work would start a new trace instead of nesting under this observation", root)
		}
		return true
	})
}

// boundsClient reports whether the context root call, under stack, is the
// argument of (*langfuse.Client).Flush or Shutdown: there a context only
// bounds the wait and starts no work, and the caller's may be cancelled.
func (c *checker) boundsClient(root *ast.CallExpr, stack []ast.Node) bool {
	if len(stack) == 0 {
		return false
	}
	call, ok := stack[len(stack)-1].(*ast.CallExpr)
	if !ok || call.Fun == root {
		return false
	}
	fn := calledFunc(c.pass.TypesInfo, call)
	return fn != nil && (isMethod(fn, langfusePath, "Client", "Flush") || isMethod(fn, langfusePath, "Client", "Shutdown"))
}

// funcBody is the type and body of the function e denotes: a function
// literal, or a function or method of this package named (and perhaps
// instantiated) by e. The body is nil for anything else.
func (c *checker) funcBody(e ast.Expr) (*ast.FuncType, *ast.BlockStmt) {
	e = ast.Unparen(e)
	if lit, ok := e.(*ast.FuncLit); ok {
		return lit.Type, lit.Body
	}
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	var id *ast.Ident
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	default:
		return nil, nil
	}
	fn, ok := c.pass.TypesInfo.Uses[id].(*types.Func)
	if !ok || fn.Pkg() != c.pass.Pkg {
		return nil, nil
	}
	decl := c.declOf(fn.Origin())
	if decl == nil {
		return nil, nil
	}
	return decl.Type, decl.Body
}

// declOf is the declaration of fn, a function of this package, or nil.
func (c *checker) declOf(fn *types.Func) *ast.FuncDecl {
	if c.decls == nil {
		c.decls = make(map[*types.Func]*ast.FuncDecl)
		for _, f := range c.pass.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					if obj, ok := c.pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
						c.decls[obj] = fd
					}
				}
			}
		}
	}
	return c.decls[fn]
}
