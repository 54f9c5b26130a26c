// Command lambdazip packs a bootstrap executable into the zip Lambda runs,
// byte for byte the same for the same executable: a fixed timestamp and mode,
// so an unchanged function keeps its hash and `serverless deploy` skips it.
//
//	lambdazip -o bin/hello.zip bin/hello/bootstrap
package main

import (
	"flag"
	"fmt"
	"os"

	"wsapi/tools/lambdazip/bootstrapzip"
)

func main() {
	out := flag.String("o", "", "zip file to write")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: lambdazip -o FUNCTION.zip path/to/bootstrap")
		os.Exit(2)
	}
	if err := bootstrapzip.Write(*out, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "lambdazip:", err)
		os.Exit(1)
	}
}
