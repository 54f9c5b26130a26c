// Package stackcheck holds the tests that package the service with the
// Serverless Framework and check the CloudFormation it would deploy: the
// WebSocket API, its routes, the functions' runtime and tracing, and that each
// function's role grants only what that function uses. The stack is packaged
// once with each tracing backend (`--param tracing=otel` and without), and
// both variants are checked.
package stackcheck
