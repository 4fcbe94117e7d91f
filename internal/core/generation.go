package core

import "time"

// GenerationDetails is what a model call's result says about the call:
// the model that answered, the tokens it used and what they cost, and
// when its first token arrived. Zero fields are not recorded. Package
// observe's GenerationDetails is the public form, converted to this one
// by the wrappers that read it (Ending.Details).
type GenerationDetails struct {
	Model           string
	Usage           map[string]int
	Cost            map[string]float64
	CompletionStart time.Time
}

// ReportsGeneration reports whether End reads a call's result for its
// generation details: only generation-like observations do, so other
// wrappers never box a result they do not capture.
func (r *Record) ReportsGeneration() bool { return r.reportsGeneration() }

func (r *Record) reportsGeneration() bool {
	return r.typ.generationLike() && r.IsRecording()
}

// recordGeneration writes the details that details reads from out, if it
// reports any, before the output. A panic in it is contained and noted:
// the wrapped call has already returned, and its result must reach the
// caller.
func (r *Record) recordGeneration(out any, details func(any) (GenerationDetails, bool)) {
	defer func() {
		if p := recover(); p != nil {
			r.client.Warn("GenerationDetails panicked; the call's model and usage are not recorded",
				"observation_type", r.typ.String(), "panic", panicText(p, defaultPanicLimit))
		}
	}()
	d, ok := details(out)
	if !ok {
		return
	}
	var s Settings
	if d.Model != "" {
		s.model, s.set = d.Model, s.set|FModel
	}
	if len(d.Usage) > 0 {
		s.usage, s.set = d.Usage, s.set|FUsage
	}
	if len(d.Cost) > 0 {
		s.cost, s.set = d.Cost, s.set|FCost
	}
	if !d.CompletionStart.IsZero() {
		s.completionStart, s.set = d.CompletionStart, s.set|FCompletionStart
	}
	if s.set != 0 {
		r.apply(&s, nil) // buf may hold the call's arguments
	}
}
