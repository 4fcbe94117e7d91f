// Command scores attaches evaluations to what a program recorded: an
// evaluator observation that scores the generation it judged, a score on
// the trace, and user feedback that arrives later, in another request,
// for a trace whose id the program kept.
//
//   - observe.Score(ctx, name, value) scores the observation current in
//     ctx; observe.ScoreTrace its trace; o.Score and o.ScoreTrace a given
//     observation.
//   - langfuse.CreateScore(ctx, s) scores a trace, an observation or a
//     session by id, through ctx's client (lf.CreateScore names one).
//   - A number is NUMERIC, a bool BOOLEAN and a string CATEGORICAL, unless
//     observe.WithScoreDataType says otherwise. A malformed score is an
//     error at the call, wrapping langfuse.ErrInvalidScore.
//   - WithScoreID makes a score idempotent: feedback changed later replaces
//     the first.
//
// Scores are sent in the background, in batches, with retries; Flush and
// Shutdown send what is queued. Without LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY each score is printed to stderr as it is made, and
// each trace when it ends.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	traceID := chat(context.Background(), "What is Langfuse?")

	// Later, in another request: the user's thumbs-up for that answer,
	// by the trace id the first request gave the frontend. A feedback
	// handler has its request's ctx, not the client.
	if err := langfuse.CreateScore(context.Background(), langfuse.Score{
		Name: "user-feedback", TraceID: traceID, Value: true,
		Comment: "clear and short", ID: "feedback-" + traceID,
	}); err != nil {
		log.Print(err)
	}

	// A score that fits no data type is refused at the call.
	err = langfuse.CreateScore(context.Background(), langfuse.Score{Name: "rating", TraceID: traceID, Value: 2, DataType: "BOOLEAN"})
	fmt.Println("refused:", errors.Is(err, langfuse.ErrInvalidScore), err)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// chat answers a question, has the answer judged, and returns the trace id
// that later feedback refers to.
func chat(ctx context.Context, question string) string {
	ctx, o := observe.Start(ctx, "chat", observe.WithInput(question))
	defer o.End()

	// The generation to evaluate; a model call would go here.
	gen := o.StartObservation("answer", observe.AsType(observe.TypeGeneration),
		observe.WithModel("gpt-4o-mini"), observe.WithInput(question))
	text := "Langfuse is an open-source LLM engineering platform."
	gen.End(observe.WithOutput(text))
	judge(ctx, gen, text)

	// A guardrail's verdict on the whole trace.
	if err := observe.ScoreTrace(ctx, "contains-pii", false); err != nil {
		log.Print(err)
	}
	o.Update(observe.WithOutput(text))
	fmt.Println(text)
	return o.TraceID()
}

// judge is an evaluator observation that scores the generation it judged.
func judge(ctx context.Context, judged *observe.Observation, text string) {
	ctx, e := observe.Start(ctx, "judge-relevance", observe.AsType(observe.TypeEvaluator), observe.WithInput(text))
	defer e.End()
	relevance := 0.4
	if strings.Contains(text, "LLM") {
		relevance = 0.9
	}
	if err := judged.Score("relevance", relevance, observe.WithComment("mentions what Langfuse is for"),
		observe.WithScoreMetadata(map[string]any{"judge": "keyword"})); err != nil {
		log.Print(err)
	}
	// The judge's own confidence, on the evaluator observation itself.
	if err := observe.Score(ctx, "judge-confidence", "high"); err != nil {
		log.Print(err)
	}
	e.Update(observe.WithOutput(relevance))
}
