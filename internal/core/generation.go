package core

import "time"

// GenerationDetails is what a model call's result says about the call:
// the model that answered, the tokens it used and what they cost, and
// when its first token arrived. Zero fields are not recorded.
type GenerationDetails struct {
	Model           string
	Usage           map[string]int
	Cost            map[string]float64
	CompletionStart time.Time
}

// GenerationResult is a result that reports the model call it came from.
type GenerationResult interface {
	GenerationDetails() GenerationDetails
}

// reportsGeneration says whether Finish looks at the result for its
// generation details: only generation-like observations do, so other
// wrappers never box a result they do not capture.
func (r *Record) reportsGeneration() bool {
	return generationLike(r.typ) && r.IsRecording()
}

// recordGeneration writes the details out reports, if it reports any,
// before the output. A panic in its method is contained and noted: the
// wrapped call has already returned, and its result must reach the caller.
func (r *Record) recordGeneration(out any) {
	gr, ok := out.(GenerationResult)
	if !ok {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r.client.Warn("GenerationDetails panicked; the call's model and usage are not recorded",
				"observation_type", r.typ, "panic", panicText(p, defaultPanicLimit))
		}
	}()
	d := gr.GenerationDetails()
	var s Settings
	if d.Model != "" {
		s.model, s.set = d.Model, s.set|fModel
	}
	if len(d.Usage) > 0 {
		s.usage, s.set = d.Usage, s.set|fUsage
	}
	if len(d.Cost) > 0 {
		s.cost, s.set = d.Cost, s.set|fCost
	}
	if !d.CompletionStart.IsZero() {
		s.completionStart, s.set = d.CompletionStart, s.set|fCompletionStart
	}
	if s.set != 0 {
		r.apply(&s, nil) // buf may hold the call's arguments
	}
}
