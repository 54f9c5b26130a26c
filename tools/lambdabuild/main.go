// Command lambdabuild builds functions of this workspace for Lambda: each
// one's arm64 bootstrap and its zip, bin/<fn>.zip (package workspace).
// `make build` runs it for every function of serverless.yml; the project's
// Serverless plugin runs it before `serverless package`, `deploy` and
// `deploy function -f <fn>`.
//
//	lambdabuild                        # every function serverless.yml packages as bin/<fn>.zip
//	lambdabuild hello send             # those functions
//	lambdabuild bin/hello.zip          # the function of that artifact
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"wsapi/workspace"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lambdabuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("C", ".", "the workspace's root, where go.work and serverless.yml are")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fns, err := functions(*root, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "lambdabuild:", err)
		return 2
	}
	start := time.Now()
	built, err := workspace.Build(ctx, *root, fns)
	if err != nil {
		var be *workspace.BuildError
		if errors.As(err, &be) {
			// The compiler's own lines, file:line first, as an editor reads them.
			fmt.Fprintf(stderr, "%s\nlambdabuild: %s did not compile for Lambda; nothing was zipped\n", be.Output, strings.Join(be.Functions, ", "))
			return 1
		}
		fmt.Fprintln(stderr, "lambdabuild:", err)
		return 1
	}
	workspace.Report(stdout, built, time.Since(start))
	return 0
}

// functions are the arguments as function names (an artifact path names its
// function), or every function serverless.yml packages.
func functions(root string, args []string) ([]string, error) {
	if len(args) == 0 {
		return workspace.Functions(filepath.Join(root, "serverless.yml"))
	}
	fns := make([]string, 0, len(args))
	for _, a := range args {
		if strings.HasSuffix(a, ".zip") {
			fn, err := workspace.FunctionOf(a)
			if err != nil {
				return nil, err
			}
			a = fn
		}
		fns = append(fns, a)
	}
	return fns, nil
}
