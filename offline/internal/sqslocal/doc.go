// Package sqslocal serves the Amazon SQS calls that functions and Lambda's
// event source mappings make, over SQS's AWS JSON 1.0 protocol (the one
// aws-sdk-go-v2 speaks: POST / with X-Amz-Target: AmazonSQS.<Operation>),
// on loopback, so a function configured with AWS_ENDPOINT_URL_SQS reaches
// the template's queues as it would reach them in AWS.
//
// Queues keep SQS's standard-queue behaviour that a function can observe:
// the visibility timeout, receive counts, redrive to a dead-letter queue
// after maxReceiveCount receives, long polling woken by sends, delays,
// retention, the 10-entry batch and message-size limits, and MD5OfBody,
// which the SDK checks. A template's AWS::SQS::Queue resources are read
// here too (cloudformation.go), with SQS's defaults for what they leave
// unset.
package sqslocal
