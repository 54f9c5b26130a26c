// Package e2e is the application's end-to-end tests and benchmarks. They
// build the functions and the offline gateway, start the gateway on the
// project's serverless.yml as a user would, and drive it from outside,
// through a WebSocket client, wscat, a browser, the AWS SDK and make: rooms,
// send and fan-out, reloads, the command line, and what each costs.
//
// The gateway knows nothing of the application; these tests hold the two
// together. `make test` runs them; `make bench` runs the benchmarks.
package e2e
