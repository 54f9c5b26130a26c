package slsconfig_test

import (
	"fmt"
	"log"

	"wsapi/offline/internal/slsconfig"
)

func ExampleLoad() {
	c, err := slsconfig.Load("testdata/serverless.yml", slsconfig.Options{Stage: "test"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("selection:", c.RouteSelectionExpression)
	for _, r := range c.Routes {
		f := c.Functions[r.Function]
		fmt.Printf("%s -> %s (%s, %s, %d MB, %v, %s)\n", r.Key, f.Name, f.Runtime, f.Architecture, f.MemoryMB, f.Timeout, f.Artifact)
		fmt.Println("  environment:", f.Environment)
		if r.RouteResponseSelectionExpression != "" {
			fmt.Println("  replies with the function's return value")
		}
		if a := r.Authorizer; a != nil {
			fmt.Println("  authorizer:", a.Function, a.IdentitySource)
		}
	}
	fmt.Println("warnings:", len(c.Warnings))
	// Output:
	// selection: $request.body.action
	// $connect -> chat-test-connect (provided.al2023, arm64, 1024 MB, 10s, testdata/bin/connect.zip)
	//   environment: map[SECRET:local-secret TABLE:chat-test-connections]
	//   authorizer: auth [route.request.querystring.token]
	// send -> chat-test-send (provided.al2023, arm64, 256 MB, 10s, testdata/bin/send.zip)
	//   environment: map[SECRET:local-secret TABLE:chat-test-connections]
	//   replies with the function's return value
	// warnings: 0
}
