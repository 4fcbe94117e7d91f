package observevet

import (
	"go/ast"
	"go/types"
)

// startKind describes a function that starts an observation the caller
// must end.
type startKind struct {
	label     string // how the message names it
	ctxResult bool   // it returns (ctx, *Observation) rather than *Observation
}

var (
	startFunc      = &startKind{label: "observe.Start", ctxResult: true}
	startObsFunc   = &startKind{label: "observe.StartObservation"}
	startMethod    = &startKind{label: "Observation.Start", ctxResult: true}
	startObsMethod = &startKind{label: "Observation.StartObservation"}
)

// observationType is the name of the type whose methods start children.
const observationType = "Observation"

// startKindOf is what fn starts, or nil when it starts nothing the caller
// ends (observe.CreateEvent's event is ended already).
func startKindOf(fn *types.Func) *startKind {
	switch {
	case isFunc(fn, observePath, "Start"):
		return startFunc
	case isFunc(fn, observePath, "StartObservation"):
		return startObsFunc
	case isMethod(fn, observePath, observationType, "Start"):
		return startMethod
	case isMethod(fn, observePath, observationType, "StartObservation"):
		return startObsMethod
	}
	return nil
}

// checkStart reports what is wrong at once with a call that starts an
// observation (the observation thrown away) and queues the variables it
// assigns for the flow checks on the function's control-flow graph.
func (c *checker) checkStart(call *ast.CallExpr, kind *startKind, stack []ast.Node) {
	parent, child := parentOf(stack)
	fnNode, fnType, body := enclosingFunc(stack)
	if fnNode == nil || body == nil {
		return
	}
	if es, ok := parent.(*ast.ExprStmt); ok && es.X == child {
		c.pass.ReportRangef(call, "the observation from %s is thrown away and never ended, so it is never exported: keep it and defer its End", kind.label)
		return
	}
	obsIndex := 0
	if kind.ctxResult {
		obsIndex = 1
	}
	obsExpr, ok := assignedTo(parent, child, obsIndex)
	if !ok {
		return // returned, passed on, or ended in the same expression
	}
	if isBlank(obsExpr) {
		c.pass.ReportRangef(call, "the observation from %s is discarded and never ended, so it is never exported: keep it and defer its End", kind.label)
		return
	}
	stmt := parent
	fv := c.varsOf(fnNode, fnType, body)
	obs := c.localVar(obsExpr, fnType)
	if obs != nil {
		fv.obs = append(fv.obs, tracked{v: obs, stmt: stmt, call: call, kind: kind})
	}
	if !kind.ctxResult {
		return
	}
	ctxExpr, _ := assignedTo(parent, child, 0)
	if isBlank(ctxExpr) {
		if obs != nil {
			fv.discards = append(fv.discards, tracked{v: obs, stmt: stmt, call: call, kind: kind})
		}
		return
	}
	if v := c.localVar(ctxExpr, fnType); v != nil {
		fv.ctxs = append(fv.ctxs, tracked{v: v, stmt: stmt, call: call, kind: kind})
	}
}
