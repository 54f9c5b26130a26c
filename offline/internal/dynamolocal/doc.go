// Package dynamolocal is the offline gateway's stand-in for Amazon DynamoDB.
// Start runs dynalite, a DynamoDB API server on Node.js that the project pins
// in package.json, on a free port of 127.0.0.1; functions reach it through
// AWS_ENDPOINT_URL_DYNAMODB, as the AWS SDKs read it. ReadTables reads the
// AWS::DynamoDB::Table resources of the template that deploys, and
// CreateTables makes them as CloudFormation would: their properties are
// CreateTable's fields, so they are decoded into its input as they are (keys,
// attribute types, indexes, billing), and a function that works here asks for
// what the deployed table has. Deploy starts dynalite and makes the tables,
// and OnExit reports dynalite dying under a running gateway.
//
// Tables live in memory for one run unless Options.DataDir is set, in which
// case dynalite keeps them on disk and CreateTables keeps what it finds.
// dynalite has no Time to Live and no streams: CreateTables reports those as
// warnings, not errors, since the functions work without them. The process
// runs in its own process group and, on Linux, dies with the gateway even if
// the gateway is killed.
package dynamolocal
