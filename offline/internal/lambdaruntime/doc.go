// Package lambdaruntime is the offline gateway's stand-in for AWS Lambda. It
// runs each function's real bootstrap executable (a Go program built with
// aws-lambda-go) as a child process and serves it the Lambda Runtime API,
// as Lambda's provided.al2023 runtime does: the process long-polls
// GET /2018-06-01/runtime/invocation/next for an event and posts its response
// or error back. Invoke hands over one event and returns what the function
// answered.
//
// Each process is one execution environment. It gets Lambda's environment
// variables (and dummy credentials, never the parent's), serves one
// invocation at a time and is kept warm for the next; concurrent invocations
// start more processes up to the function's MaxConcurrency. Those beyond it
// wait, and an instance that frees goes to the waiting caller (WithCaller)
// that holds the fewest, so one caller's backlog does not stand in front of
// another's invocation: a local policy, share.go says why. Lambda's failure
// modes are kept: a timeout kills the process (Sandbox.Timedout), a crash or
// a panic ends it (Runtime.ExitError), and the next invocation is a cold
// start. The function's output and Lambda's START, END and REPORT lines go to
// the function's Log, in the format CloudWatch Logs shows.
//
// An execution environment's life (initializing, ready, invoked, init
// failed, exited) and a function's (serving, retiring once replaced or
// removed, closed) are named states, each transition one method that
// refuses what the state does not allow: states.go, tested as a table.
//
// Processes run in their own process group and, on Linux, die with the
// gateway even if it is killed.
package lambdaruntime
