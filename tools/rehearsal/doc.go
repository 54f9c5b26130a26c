// Package rehearsal rehearses the deploy: its test runs the commands a user
// types, as typed, `serverless deploy --stage rehearsal`, `serverless deploy
// function -f hello`, `serverless info`, `serverless logs -f hello` and
// `serverless remove`, with the project's pinned CLI, from a fresh copy of
// the workspace with nothing built, against moto (the standard AWS mock,
// `moto_server`) on loopback. It reads back with the AWS SDK what each
// command made and holds it to the template the framework compiled from
// serverless.yml, by type and property.
//
// What it cannot prove: IAM's enforcement (moto stores policies and checks
// none), API Gateway itself (moto's CloudFormation does not model
// AWS::ApiGatewayV2::*: the stack check's cfn-lint and the offline gateway
// cover those resources), service limits and real latency. The test names
// every such gap it meets in its output.
//
//	make rehearse     # this test alone, verbose
//
// moto's ValidateTemplate runs cfn-lint and refuses a template with
// warnings, where AWS's checks only that it is well formed. The harness needs
// no way around it: the project's plugin drops the one warning the
// framework's templates drew (W3005, a DependsOn that a reference already
// implies), and the stack check now fails on any cfn-lint warning too.
//
// make test runs it when moto_server is on PATH, says so when it is not, and
// fails without it under CI=true.
package rehearsal
