package observevet

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/cfg"
)

// tracked is a local variable that a call starting an observation assigns:
// the observation, or the ctx that holds it.
type tracked struct {
	v    *types.Var
	stmt ast.Node // the *ast.AssignStmt or *ast.ValueSpec of the call
	call *ast.CallExpr
	kind *startKind
}

// funcVars is one function and the variables whose flow is checked in it.
type funcVars struct {
	node     ast.Node // *ast.FuncDecl or *ast.FuncLit
	typ      *ast.FuncType
	body     *ast.BlockStmt
	obs      []tracked // observations, checked to be ended
	ctxs     []tracked // ctxs from Start, checked to be read
	discards []tracked // observations whose ctx from Start was discarded
}

// varsOf is the entry of the function node, made on first use; the
// entries keep the order of the source, so reports come out in it.
func (c *checker) varsOf(node ast.Node, typ *ast.FuncType, body *ast.BlockStmt) *funcVars {
	if fv, ok := c.funcs[node]; ok {
		return fv
	}
	fv := &funcVars{node: node, typ: typ, body: body}
	c.funcs[node] = fv
	c.order = append(c.order, fv)
	return fv
}

// checkFlows reports, on each function's control-flow graph, the
// observations that a path to a return leaves open and the ctxs that no
// later code reads.
func (c *checker) checkFlows() {
	cfgs := c.pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs)
	for _, fv := range c.order {
		var g *cfg.CFG
		switch n := fv.node.(type) {
		case *ast.FuncDecl:
			g = cfgs.FuncDecl(n)
		case *ast.FuncLit:
			g = cfgs.FuncLit(n)
		}
		if g == nil {
			continue
		}
		for _, t := range fv.obs {
			c.checkEnded(g, fv, t)
		}
		for _, t := range fv.ctxs {
			c.checkCtxUsed(g, fv, t)
		}
		for _, t := range fv.discards {
			c.checkCtxDiscarded(g, fv, t)
		}
	}
}

// checkEnded reports an observation that some path from its start reaches
// a return on without ending it. Every reference that might end it counts
// as ending it: End, a deferred or captured use, passing, storing or
// returning it, a nil test.
func (c *checker) checkEnded(g *cfg.CFG, fv *funcVars, t tracked) {
	if c.isResult(fv, t.v) || c.usedBeforeLater(fv, t) || c.endsOutOfSight(fv, t) {
		return
	}
	ends := func(n ast.Node) bool { return c.mayEnd(n, t.v, nil, nil) }
	ret := findPath(g, t.stmt, ends, isReturn)
	if ret == nil {
		return
	}
	name := t.v.Name()
	if !c.mayEnd(fv.body, t.v, t.stmt, nil) {
		c.pass.ReportRangef(t.call, "%s from %s is never ended, so it is never exported: add defer %s.End() after the start", name, t.kind.label, name)
		return
	}
	line := c.pass.Fset.Position(ret.Pos()).Line
	c.pass.ReportRangef(t.call, "%s from %s is not ended on every path (the return at line %d leaves it open, and an observation never ended is never exported): add defer %s.End() right after the start", name, t.kind.label, line, name)
}

// checkCtxUsed reports a ctx from a Start that no code after the call
// reads: the observation it holds is never current for anything.
func (c *checker) checkCtxUsed(g *cfg.CFG, fv *funcVars, t tracked) {
	if c.isResult(fv, t.v) || c.usedBeforeLater(fv, t) {
		return
	}
	if def, _ := defSite(g, t.stmt); def == nil || !def.Live {
		return
	}
	reads := func(n ast.Node) bool { return c.refers(n, t.v) }
	if findPath(g, t.stmt, nil, reads) != nil {
		return
	}
	c.pass.ReportRangef(t.call, "%s from %s is never used, so the new observation is never current: start the work under it with %s, or call StartObservation when nothing runs under it", t.v.Name(), t.kind.label, t.v.Name())
}

// checkCtxDiscarded reports a ctx from a Start thrown away when work that
// takes a context may run after the start and before the observation is
// ended: that work attaches to the observation's parent, not to it. When
// nothing could be a child, the discarded ctx is harmless and not reported.
func (c *checker) checkCtxDiscarded(g *cfg.CFG, fv *funcVars, t tracked) {
	if c.usedBeforeLater(fv, t) || c.endsOutOfSight(fv, t) {
		return
	}
	// A deferred End ends the observation only when the function returns,
	// after the work that follows.
	ends := func(n ast.Node) bool {
		_, deferred := n.(*ast.DeferStmt)
		return !deferred && c.mayEnd(n, t.v, nil, nil)
	}
	if len(t.call.Args) == 0 {
		return
	}
	parent := t.call.Args[0]
	takesParent := func(n ast.Node) bool { return c.takesContext(n, parent) }
	if findPath(g, t.stmt, ends, takesParent) == nil {
		return
	}
	c.pass.ReportRangef(t.call, "the ctx from %s is discarded, so the new observation is not current and the work that follows attaches to its parent: use the returned ctx, or call StartObservation when nothing runs under it", t.kind.label)
}

// takesContext reports whether n calls a function with the context parent
// (the one the observation was started from) as an argument, other than a
// method of the observation itself, whose children it parents explicitly.
func (c *checker) takesContext(n ast.Node, parent ast.Expr) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if found || !ok {
			return !found
		}
		if fn := calledFunc(c.pass.TypesInfo, call); fn != nil && isNamed(recvType(fn), observePath, observationType) {
			return true
		}
		for _, a := range call.Args {
			if c.sameContext(a, parent) {
				found = true
			}
		}
		return !found
	})
	return found
}

// sameContext reports whether a is the context parent again: the same
// variable, or a call of the same function spelled the same way
// (r.Context(), context.Background()).
func (c *checker) sameContext(a, parent ast.Expr) bool {
	info := c.pass.TypesInfo
	if !isNamed(info.TypeOf(a), "context", "Context") {
		return false
	}
	a, parent = ast.Unparen(a), ast.Unparen(parent)
	switch p := parent.(type) {
	case *ast.Ident:
		id, ok := a.(*ast.Ident)
		return ok && info.Uses[p] != nil && info.Uses[id] == info.Uses[p]
	case *ast.CallExpr:
		call, ok := a.(*ast.CallExpr)
		if !ok {
			return false
		}
		fa, fp := calledFunc(info, call), calledFunc(info, p)
		return fa != nil && fa == fp && types.ExprString(call) == types.ExprString(p)
	}
	return false
}

// isResult reports whether v is a named result of fv, which a bare return
// reads.
func (c *checker) isResult(fv *funcVars, v *types.Var) bool {
	if fv.typ.Results == nil {
		return false
	}
	for _, f := range fv.typ.Results.List {
		for _, id := range f.Names {
			if c.pass.TypesInfo.Defs[id] == v {
				return true
			}
		}
	}
	return false
}

// usedBeforeLater reports whether t's variable appears, before t's
// statement, in a closure or a defer statement: code that may run after
// the statement without the graph showing it, so the checks keep quiet.
func (c *checker) usedBeforeLater(fv *funcVars, t tracked) bool {
	found := false
	ast.PreorderStack(fv.body, nil, func(n ast.Node, stack []ast.Node) bool {
		if found || n.Pos() >= t.stmt.Pos() {
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok || c.pass.TypesInfo.Uses[id] != t.v {
			return true
		}
		for _, s := range stack {
			switch s.(type) {
			case *ast.FuncLit, *ast.DeferStmt:
				found = true
			}
		}
		return true
	})
	return found
}

// refers reports whether n mentions v.
func (c *checker) refers(n ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

// mayEnd reports whether root, leaving out the subtree skip, may end the
// observation in v: any reference to v but a method call that leaves it
// open (Update, RecordError, a child's Start, ...), or a call that may end
// the current observation of some ctx (observe.Current(ctx).End()). With
// where set, only the places whose enclosing nodes where accepts count.
func (c *checker) mayEnd(root ast.Node, v *types.Var, skip ast.Node, where func(stack []ast.Node) bool) bool {
	found := false
	ast.PreorderStack(root, nil, func(n ast.Node, stack []ast.Node) bool {
		if found || n == skip {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			if fn := calledFunc(c.pass.TypesInfo, n); fn != nil && isFunc(fn, observePath, "Current") {
				found = where == nil || where(stack)
			}
		case *ast.Ident:
			if c.pass.TypesInfo.Uses[n] == v && !leavesOpen(n, stack) {
				found = where == nil || where(stack)
			}
		}
		return !found
	})
	return found
}

// endsOutOfSight reports whether t's observation may be ended where the
// graph cannot tell how often or when: in a closure called from elsewhere
// (one called where it is written, as by defer func() { ... }(), ends it
// there), or in a loop that does not hold the start (a loop the graph may
// skip though it always runs at least once). The checks then keep quiet.
func (c *checker) endsOutOfSight(fv *funcVars, t tracked) bool {
	return c.mayEnd(fv.body, t.v, t.stmt, func(stack []ast.Node) bool {
		for i, s := range stack {
			switch s := s.(type) {
			case *ast.FuncLit:
				if call, ok := stack[max(i-1, 0)].(*ast.CallExpr); !ok || call.Fun != s {
					return true
				}
			case *ast.ForStmt, *ast.RangeStmt:
				if t.stmt.Pos() < s.Pos() || t.stmt.End() > s.End() {
					return true
				}
			}
		}
		return false
	})
}

// leavesOpen reports whether the reference id, under stack, is a call of a
// method of *observe.Observation that cannot end it: not End, not inside a
// closure (which may run at any time), and, for the methods that return the
// observation, with the result thrown away. IsRecording is not among them:
// it is false for an ended or a sampled-out observation, and a return it
// guards may rightly leave the observation alone.
func leavesOpen(id *ast.Ident, stack []ast.Node) bool {
	for _, s := range stack {
		if _, ok := s.(*ast.FuncLit); ok {
			return false
		}
	}
	if blankAssigned(id, stack) {
		return true
	}
	if len(stack) < 2 {
		return false
	}
	sel, ok := stack[len(stack)-1].(*ast.SelectorExpr)
	if !ok || sel.X != id {
		return false
	}
	call, ok := stack[len(stack)-2].(*ast.CallExpr)
	if !ok || call.Fun != sel {
		return false
	}
	switch sel.Sel.Name {
	case "RecordError", "TraceID", "ID", "Type", "Score", "ScoreTrace", "Start", "StartObservation":
		return true
	case "Update", "SetTraceIO":
		if len(stack) < 3 {
			return false
		}
		es, ok := stack[len(stack)-3].(*ast.ExprStmt)
		return ok && es.X == call
	}
	return false
}

// blankAssigned reports whether id, under stack, is assigned to the blank
// identifier (_ = obs), which keeps the compiler quiet and nothing else.
func blankAssigned(id *ast.Ident, stack []ast.Node) bool {
	if len(stack) == 0 {
		return false
	}
	as, ok := stack[len(stack)-1].(*ast.AssignStmt)
	if !ok || len(as.Lhs) != len(as.Rhs) {
		return false
	}
	for i, r := range as.Rhs {
		if r == id {
			return isBlank(as.Lhs[i])
		}
	}
	return false
}

// defSite is the block of g holding stmt and the nodes after it there.
func defSite(g *cfg.CFG, stmt ast.Node) (*cfg.Block, []ast.Node) {
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			if n == stmt {
				return b, b.Nodes[i+1:]
			}
		}
	}
	return nil, nil
}

// isReturn reports whether n is a return statement, perhaps the implicit
// one that the graph adds at the end of a body.
func isReturn(n ast.Node) bool {
	_, ok := n.(*ast.ReturnStmt)
	return ok
}

// findPath finds a path in g from just after stmt (around loops back to
// stmt itself) to a node that satisfies target, on which no node before it
// satisfies stop (nil: none does), and returns that node; nil when there is
// no such path or stmt is not in the graph. A node satisfying both stops.
func findPath(g *cfg.CFG, stmt ast.Node, stop, target func(ast.Node) bool) ast.Node {
	def, rest := defSite(g, stmt)
	if def == nil || !def.Live {
		return nil
	}
	// scan walks nodes in order: the node found, or whether a node stops
	// the path.
	scan := func(nodes []ast.Node) (ast.Node, bool) {
		for _, n := range nodes {
			if stop != nil && stop(n) {
				return nil, true
			}
			if target(n) {
				return n, true
			}
		}
		return nil, false
	}
	if n, done := scan(rest); done {
		return n
	}
	seen := make(map[*cfg.Block]bool)
	var search func([]*cfg.Block) ast.Node
	search = func(blocks []*cfg.Block) ast.Node {
		for _, b := range blocks {
			if seen[b] || !b.Live {
				continue
			}
			seen[b] = true
			n, done := scan(b.Nodes)
			if n != nil {
				return n
			}
			if done {
				continue
			}
			if n := search(b.Succs); n != nil {
				return n
			}
		}
		return nil
	}
	return search(def.Succs)
}
