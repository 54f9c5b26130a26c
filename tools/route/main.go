// Command route adds a WebSocket route to the workspace: its module (wiring,
// a handler answering through @connections, its table test), its place in
// go.work, its function, role and scoped invoke permission in serverless.yml,
// and its entry in the stack check's expectations. It refuses a name already
// taken and writes nothing unless everything can be written.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	name := flag.String("name", "", "the route key, also its directory, module and function (make route NAME=…)")
	root := flag.String("root", ".", "the workspace root, where serverless.yml is")
	flag.Parse()
	if *name == "" {
		fmt.Fprintln(os.Stderr, "route: NAME is required: make route NAME=<route>, e.g. make route NAME=quote")
		os.Exit(2)
	}
	p, err := NewPlan(context.Background(), *root, *name)
	if err == nil {
		err = p.Apply(*root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "route:", err)
		if errors.Is(err, ErrRefused) {
			os.Exit(2)
		}
		os.Exit(1)
	}
	fmt.Print(nextSteps(*name))
}

func nextSteps(name string) string {
	return fmt.Sprintf(`added the route %[1]s:
  %[1]s/handler.go and handler_test.go: what it does, and its cases
  %[1]s/main.go: wiring, for a new dependency
  serverless.yml: function and route %[1]s, %[2]sRole (its logs, traces, @connections)
  %[3]s: its route and grants, as make test checks them
A route that needs more (the registry: dynamodb:Query on the byUser index, as SendRole has)
gets it in %[2]sRole and in %[3]s.
Try it: make offline, then send {"action":"%[1]s"}
`, name, titled(name), ExpectedFile)
}

func titled(name string) string {
	return string(name[0]-'a'+'A') + name[1:]
}
