// Command smoke checks a live deployment of the API step by step (see package
// probe) and exits non-zero at the first wrong answer:
//
//	serverless info --stage prod | TOKEN_SECRET=… smoke -serverless-info -
//	smoke -url wss://{apiId}.execute-api.{region}.amazonaws.com/prod -token …
//
// With the stage's signing secret in TOKEN_SECRET it signs a token for a
// fresh user of its own (smoke-…); with -token it connects as the user that
// token names, who must have no other connection open.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"wsapi/authorizer/token"
	"wsapi/tools/smoke/probe"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var failed *probe.StepError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.As(err, &failed):
		os.Exit(1) // its FAIL line says why
	default:
		fmt.Fprintln(os.Stderr, "smoke:", err)
		os.Exit(1)
	}
}

// errUsage marks a command line the flag package has already explained on stderr.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("url", "", "the API's endpoint, wss://…/{stage} (or ws://localhost:3001)")
	info := fs.String("serverless-info", "", "read the endpoint from this output of `serverless info` (- for stdin)")
	tok := fs.String("token", "", "a token for a user with no other connection open; without it, TOKEN_SECRET signs one")
	timeout := fs.Duration("step-timeout", 10*time.Second, "the longest a step may take")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 || (*endpoint == "") == (*info == "") {
		fmt.Fprintln(stderr, "usage: smoke (-url URL | -serverless-info FILE) [-token TOKEN]")
		fs.PrintDefaults()
		return errUsage
	}
	if *info != "" {
		r := stdin
		if *info != "-" {
			f, err := os.Open(*info)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		var err error
		if *endpoint, err = probe.EndpointFromInfo(r); err != nil {
			return err
		}
	}
	user, signed, err := identity(*tok, getenv("TOKEN_SECRET"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "smoke test of %s as %s\n", *endpoint, user)
	return probe.Run(ctx, probe.Config{URL: *endpoint, Token: signed, User: user, Out: stdout, StepTimeout: *timeout})
}

// identity returns who to connect as: the user a given token names, or a
// fresh user with a token signed by secret.
func identity(tok, secret string) (user, signed string, err error) {
	if tok != "" {
		user, err := probe.SubjectOf(tok)
		return user, tok, err
	}
	if secret == "" {
		return "", "", errors.New("give -token, or the stage's signing secret in TOKEN_SECRET")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	user = "smoke-" + hex.EncodeToString(b)
	signed, err = token.Sign([]byte(secret), user, 10*time.Minute, time.Now())
	if err != nil {
		return "", "", fmt.Errorf("TOKEN_SECRET: %w", err)
	}
	return user, signed, nil
}
