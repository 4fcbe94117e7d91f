package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/observe-go/langfuse/observe"
)

// JudgeOption configures LLMJudge.
type JudgeOption interface {
	applyJudge(*judge)
}

type judgeOptionFunc func(*judge)

func (f judgeOptionFunc) applyJudge(j *judge) { f(j) }

type judge struct {
	model     string
	base      string
	key       string
	hc        *http.Client
	name      string
	timeout   time.Duration
	recordGen bool
}

// JudgeModel sets the model that judges, such as "gpt-4o-mini"; required.
func JudgeModel(name string) JudgeOption {
	return judgeOptionFunc(func(j *judge) { j.model = name })
}

// JudgeEndpoint sets the OpenAI-compatible API the judge calls: its base
// URL, such as "https://api.openai.com/v1" (requests go to
// baseURL+"/chat/completions"), and the API key sent to it, and only to
// it, as a Bearer token; required. The key never appears in an error or
// an observation.
func JudgeEndpoint(baseURL, apiKey string) JudgeOption {
	return judgeOptionFunc(func(j *judge) { j.base, j.key = strings.TrimRight(baseURL, "/"), apiKey })
}

// JudgeHTTPClient sets the client the judge's requests go through (a
// proxy, a private CA); the default is http.DefaultClient. The client is
// not changed: the judge uses a copy that follows no redirect to another
// origin or one that changes the method.
func JudgeHTTPClient(c *http.Client) JudgeOption {
	return judgeOptionFunc(func(j *judge) { j.hc = c })
}

// JudgeScoreName sets the name of the judge's score and of its evaluator
// observation; the default is "llm_judge".
func JudgeScoreName(name string) JudgeOption {
	return judgeOptionFunc(func(j *judge) { j.name = name })
}

// JudgeTimeout bounds each call of the model; the default is one minute.
func JudgeTimeout(d time.Duration) JudgeOption {
	return judgeOptionFunc(func(j *judge) { j.timeout = d })
}

// JudgeRecordGeneration(false) keeps the judge from recording its own
// generation, for a JudgeHTTPClient whose transport records one already
// (langfuseopenai.NewTransport of the integrations module).
func JudgeRecordGeneration(on bool) JudgeOption {
	return judgeOptionFunc(func(j *judge) { j.recordGen = on })
}

// maxJudgeAnswer bounds the body of the model's answer that the judge
// reads.
const maxJudgeAnswer = 4 << 20

// judgeSystemPrompt asks for the verdict the judge reads.
const judgeSystemPrompt = `You evaluate the output of an AI application against the criteria below.
Answer with a JSON object only: {"score": <a number from 0 to 1>, "reasoning": "<one or two sentences>"}.

Criteria:
`

// LLMJudge returns an evaluator that asks a model, through the OpenAI
// chat completions API of JudgeEndpoint, to score each item's output from
// 0 to 1 against criteria, given the input, the expected output and the
// output as JSON. Its evaluation is a NUMERIC score named "llm_judge" (see
// JudgeScoreName), with the model's reasoning as comment. The call is
// recorded as a generation, with the model, the messages, the answer and
// the token usage, under the evaluator observation in the item's trace.
//
// A call that fails, or an answer that is not such a verdict, fails the
// evaluator on that item (see ItemResult.EvalErrors), naming the reason.
func LLMJudge[In, Exp, Out any](criteria string, opts ...JudgeOption) Evaluator[In, Exp, Out] {
	j := &judge{name: "llm_judge", timeout: time.Minute, recordGen: true}
	for _, o := range opts {
		if o != nil {
			o.applyJudge(j)
		}
	}
	return NewEvaluator(j.name, func(ctx context.Context, r ItemResult[In, Exp, Out]) ([]Evaluation, error) {
		user := fmt.Sprintf("Input:\n%s\n\nExpected output:\n%s\n\nOutput:\n%s", text(r.Item.Input), text(r.Item.Expected), text(r.Output))
		score, reasoning, err := j.ask(ctx, criteria, user)
		if err != nil {
			return nil, err
		}
		return []Evaluation{{Name: j.name, Value: score, Comment: reasoning}}, nil
	})
}

// chatMessage is a message of the chat completions API.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ask calls the model and returns its verdict.
func (j *judge) ask(ctx context.Context, criteria, user string) (float64, string, error) {
	if j.model == "" {
		return 0, "", errors.New("llm judge: JudgeModel is required")
	}
	u, err := url.Parse(j.base)
	if j.base == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return 0, "", errors.New("llm judge: JudgeEndpoint needs an http(s) base URL with a host and no user info")
	}
	messages := []chatMessage{{Role: "system", Content: judgeSystemPrompt + criteria}, {Role: "user", Content: user}}
	params := map[string]any{"temperature": 0, "response_format": "json_object"}
	var gen *observe.Observation
	if j.recordGen {
		ctx, gen = observe.Start(ctx, "llm-judge", observe.AsType(observe.TypeGeneration), observe.WithModel(j.model),
			observe.WithModelParameters(params), observe.WithInput(messages))
	}
	content, usage, model, err := j.complete(ctx, u, messages)
	if err != nil {
		gen.RecordError(err)
		gen.End()
		return 0, "", err
	}
	var genOpts []observe.Option
	genOpts = append(genOpts, observe.WithOutput(content))
	if usage != nil {
		genOpts = append(genOpts, observe.WithUsage(usage))
	}
	if model != "" {
		genOpts = append(genOpts, observe.WithModel(model))
	}
	var verdict struct {
		Score     *float64 `json:"score"`
		Reasoning string   `json:"reasoning"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(content)), &verdict); err != nil || verdict.Score == nil ||
		math.IsNaN(*verdict.Score) || *verdict.Score < 0 || *verdict.Score > 1 {
		err := fmt.Errorf("llm judge: the model's answer is not {\"score\": 0 to 1, \"reasoning\": ...}: %s", short(content))
		gen.RecordError(err)
		gen.End(genOpts...)
		return 0, "", err
	}
	gen.End(genOpts...)
	return *verdict.Score, verdict.Reasoning, nil
}

// complete makes one chat completions call and returns the answer's
// content, its token usage and the model that answered.
func (j *judge) complete(ctx context.Context, base *url.URL, messages []chatMessage) (string, map[string]int, string, error) {
	body, err := json.Marshal(map[string]any{
		"model": j.model, "temperature": 0, "messages": messages,
		"response_format": map[string]string{"type": "json_object"},
	})
	if err != nil {
		return "", nil, "", fmt.Errorf("llm judge: encode request: %w", err)
	}
	if j.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, j.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.base+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", nil, "", fmt.Errorf("llm judge: %s", j.redact(err.Error()))
	}
	req.Header.Set("Content-Type", "application/json")
	if j.key != "" {
		req.Header.Set("Authorization", "Bearer "+j.key)
	}
	hc := http.Client{}
	if j.hc != nil {
		hc = *j.hc
	}
	next := hc.CheckRedirect
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if r.Method != via[0].Method || r.URL.Scheme != base.Scheme || r.URL.Host != base.Host {
			return errors.New("a redirect to another origin or method, not followed: it would receive the API key")
		}
		if next != nil {
			return next(r, via)
		}
		if len(via) >= 10 {
			return errors.New("more than 10 redirects")
		}
		return nil
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", nil, "", &judgeError{msg: "llm judge: " + j.redact(err.Error()), err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJudgeAnswer+1))
	if err != nil {
		return "", nil, "", &judgeError{msg: "llm judge: read answer: " + j.redact(err.Error()), err: err}
	}
	if len(data) > maxJudgeAnswer {
		return "", nil, "", fmt.Errorf("llm judge: answer over %d bytes, not read", maxJudgeAnswer)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", nil, "", fmt.Errorf("llm judge: %s answered %d: %s", j.model, resp.StatusCode, short(j.redact(strings.ToValidUTF8(string(data), "?"))))
	}
	var answer struct {
		Model   string `json:"model"`
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
		Usage *struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(data, &answer); err != nil || len(answer.Choices) == 0 {
		return "", nil, "", fmt.Errorf("llm judge: the answer is not a chat completion: %s", short(j.redact(strings.ToValidUTF8(string(data), "?"))))
	}
	var usage map[string]int
	if u := answer.Usage; u != nil && u.PromptTokens >= 0 && u.CompletionTokens >= 0 && u.TotalTokens >= 0 {
		usage = map[string]int{"input": u.PromptTokens, "output": u.CompletionTokens, "total": u.TotalTokens}
	}
	return answer.Choices[0].Message.Content, usage, answer.Model, nil
}

// redact takes the API key out of s.
func (j *judge) redact(s string) string {
	if j.key == "" {
		return s
	}
	return strings.ReplaceAll(s, j.key, "[REDACTED]")
}

// judgeError is an error of the transport with the key taken out of its
// text, that errors.Is still sees through (a deadline, a cancel).
type judgeError struct {
	msg string
	err error
}

func (e *judgeError) Error() string { return e.msg }
func (e *judgeError) Unwrap() error { return e.err }
