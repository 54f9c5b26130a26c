package console

import (
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/stack"
)

// Dynalite is where the template's tables are made, for the project in
// projectDir, kept in dataDir ("" for memory), saying loudly if dynalite
// dies while the gateway serves. Quiet, dynalite's own lines are dropped.
func Dynalite(out *Console, projectDir, dataDir string, quiet bool) *stack.Dynalite {
	dynaliteLog := out.Tagged("dynamodb")
	if quiet {
		dynaliteLog = nil
	}
	return &stack.Dynalite{
		Options: dynamolocal.Options{
			ProjectDir: projectDir,
			DataDir:    dataDir,
			Log:        dynaliteLog,
			OnExit: func(err error) {
				out.Printf("error", "the local DynamoDB stopped: %v", err)
				out.Printf("error", "every DynamoDB call of the functions fails from now on: stop the gateway (Ctrl-C) and start it again")
			},
		},
		Report:  func(r dynamolocal.Report) { printTables(out, r) },
		Started: func(endpoint string) { out.Printf("dynamodb", "DynamoDB API (dynalite) at %s", endpoint) },
	}
}

// printTables shows what the local DynamoDB made of the template's tables.
func printTables(out *Console, report dynamolocal.Report) {
	for _, line := range report.Tables {
		out.Printf("dynamodb", "%s", line)
	}
	out.Warn(report.Warnings...)
}
