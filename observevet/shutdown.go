package observevet

import (
	"go/ast"
	"go/types"
)

// checkNew reports a langfuse.New called in func main of package main
// whose client main never shuts down or flushes: the exporter sends spans
// in batches, and what is still queued when main returns is lost.
func (c *checker) checkNew(call *ast.CallExpr, stack []ast.Node) {
	fnNode, fnType, body := enclosingFunc(stack)
	decl, ok := fnNode.(*ast.FuncDecl)
	if !ok || body == nil || decl.Recv != nil || decl.Name.Name != "main" || c.pass.Pkg.Name() != "main" {
		return
	}
	parent, child := parentOf(stack)
	if es, ok := parent.(*ast.ExprStmt); ok && es.X == child {
		c.pass.ReportRangef(call, "the client from langfuse.New is thrown away, so main cannot shut it down and the spans still queued when it returns are lost: keep it and defer client.Shutdown(ctx)")
		return
	}
	lhs, ok := assignedTo(parent, child, 0)
	if !ok {
		return // passed on or returned: handled elsewhere
	}
	if isBlank(lhs) {
		c.pass.ReportRangef(call, "the client from langfuse.New is discarded, so main cannot shut it down and the spans still queued when it returns are lost: keep it and defer client.Shutdown(ctx)")
		return
	}
	v := c.localVar(lhs, fnType)
	if v == nil || c.handsOn(body, v, parent) {
		return
	}
	c.pass.ReportRangef(call, "main never shuts down %s from langfuse.New, so the spans still queued when main returns are lost: add defer %s.Shutdown(ctx) after it (Shutdown flushes)", v.Name(), v.Name())
}

// handsOn reports whether body, outside the statement def that assigns the
// client v, shuts v down or flushes it, or may do so elsewhere: any
// reference but a call of another method of *langfuse.Client counts.
func (c *checker) handsOn(body *ast.BlockStmt, v *types.Var, def ast.Node) bool {
	found := false
	ast.PreorderStack(body, nil, func(n ast.Node, stack []ast.Node) bool {
		if found || n == def {
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok || c.pass.TypesInfo.Uses[id] != v {
			return true
		}
		if blankAssigned(id, stack) {
			return false
		}
		if len(stack) < 2 {
			found = true
			return false
		}
		sel, ok := stack[len(stack)-1].(*ast.SelectorExpr)
		call, isCall := stack[len(stack)-2].(*ast.CallExpr)
		if !ok || sel.X != id || !isCall || call.Fun != sel {
			found = true // passed on, stored, or a method value
			return false
		}
		fn, _ := c.pass.TypesInfo.Uses[sel.Sel].(*types.Func)
		if fn == nil || !isNamed(recvType(fn), langfusePath, "Client") {
			found = true
			return false
		}
		if fn.Name() == "Shutdown" || fn.Name() == "Flush" {
			found = true
		}
		return false
	})
	return found
}

// recvType is the receiver type of method fn, or nil.
func recvType(fn *types.Func) types.Type {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return nil
	}
	return sig.Recv().Type()
}
