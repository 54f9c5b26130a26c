// Package cloudformation reads a CloudFormation template, the one a
// deployment hands to AWS, into a Template: its resources with their
// intrinsic functions resolved, their names and ARNs, and the functions
// that are served. Each AWS service the gateway stands in for reads its own
// resources from a Template (gateway the WebSocket API, sqslocal the queues,
// eventsource the event source mappings) and makes the functions they use
// served through it.
//
// Templates are JSON or YAML, with YAML's short forms (!Ref, !GetAtt A.B,
// !Sub and the rest). A template still to be transformed (AWS SAM's) is
// refused, naming the processed template to serve instead. The stack's
// region is the one its ARNs state when an environment-specific stack
// hard-codes it, else us-east-1, unless the options name one. A function's
// bootstrap is named by its logical id or its FunctionName, so that the
// names CloudFormation makes up for CDK's functions need not be known.
//
// Intrinsic functions resolve as CloudFormation resolves them on a stack
// in one region of a fixed local account: Ref, Fn::GetAtt with each
// resource type's documented return values, Fn::Join, Fn::Sub, Fn::Select,
// Fn::Split, Fn::If with the template's Conditions, and the pseudo
// parameters. goformation's intrinsics package walks the template and
// evaluates the conditions; this package supplies what it leaves
// unresolved (a resource's Ref and Fn::GetAtt) or gets wrong.
//
// Resources are emulated by their AWS type and properties, whoever wrote
// them: the Serverless Framework, CDK or a hand-written resources section.
// Types with no offline meaning (IAM, log groups, permissions, versions)
// are skipped quietly (NotEmulated); whatever would behave differently
// offline is named in one warning, with its logical id and why (Warnf).
package cloudformation
