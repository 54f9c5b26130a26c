// Command echo is a test function: it answers with its event and what the
// Runtime API told it, and on request sleeps, fails, or answers too much.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Say     string `json:"say"`      // printed to stdout, then to stderr
	SleepMS int    `json:"sleep_ms"` // sleep before answering
	Fail    string `json:"fail"`     // return this as a handled error
	Env     bool   `json:"env"`      // include the environment in the reply
	BigMB   int    `json:"big_mb"`   // reply with this many MB of padding
}

type reply struct {
	Event       json.RawMessage   `json:"event"`
	PID         int               `json:"pid"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	TraceID     string            `json:"traceId"`
	DeadlineMS  int64             `json:"deadlineMs"`
	Env         map[string]string `json:"env,omitempty"`
	Padding     string            `json:"padding,omitempty"`
}

func handle(ctx context.Context, raw json.RawMessage) (reply, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return reply{}, err
	}
	lc, _ := lambdacontext.FromContext(ctx)
	if ev.Say != "" {
		fmt.Println("stdout:", ev.Say)
		fmt.Fprintln(os.Stderr, "stderr:", ev.Say)
	}
	if ev.SleepMS > 0 {
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	}
	if ev.Fail != "" {
		return reply{}, errors.New(ev.Fail)
	}
	deadline, _ := ctx.Deadline()
	traceID, _ := ctx.Value("x-amzn-trace-id").(string)
	r := reply{
		Event:       raw,
		PID:         os.Getpid(),
		RequestID:   lc.AwsRequestID,
		FunctionARN: lc.InvokedFunctionArn,
		TraceID:     traceID,
		DeadlineMS:  deadline.UnixMilli(),
		Padding:     strings.Repeat("x", ev.BigMB<<20),
	}
	if ev.Env {
		r.Env = map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			r.Env[k] = v
		}
	}
	return r, nil
}

func main() {
	if os.Getenv("ECHO_OUTLIVE_SIGTERM") != "" {
		// A function that says it was asked to stop, and takes the
		// whole shutdown grace period.
		sigterm := make(chan os.Signal, 1)
		signal.Notify(sigterm, syscall.SIGTERM)
		go func() {
			for range sigterm {
				fmt.Println("echo: SIGTERM")
			}
		}()
	}
	if n, _ := strconv.Atoi(os.Getenv("ECHO_GOODBYE_LINES")); n > 0 {
		// A function with much to say when asked to stop, said in one
		// write just before it exits: its lines are still in the pipe
		// when it is reaped.
		sigterm := make(chan os.Signal, 1)
		signal.Notify(sigterm, syscall.SIGTERM)
		go func() {
			<-sigterm
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "echo: goodbye %d\n", i+1)
			}
			_, _ = os.Stdout.WriteString(b.String())
			os.Exit(0)
		}()
	}
	fmt.Println("echo: init")
	lambda.Start(handle)
}
