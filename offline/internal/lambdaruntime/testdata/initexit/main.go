// Command initexit is a test function that fails its init phase by exiting,
// as a function does that cannot find its configuration.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if os.Getenv("TABLE_NAME") == "" {
		fmt.Fprintln(os.Stderr, "initexit: TABLE_NAME is not set")
		os.Exit(3)
	}
	lambda.Start(func(context.Context) error { return nil })
}
