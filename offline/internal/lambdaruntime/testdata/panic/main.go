// Command panic is a test function whose handler panics.
package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) error {
		fmt.Println("panic: about to panic")
		panic("boom")
	})
}
