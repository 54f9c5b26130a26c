// Package xraytrace is a trace as the X-Ray daemon assembles it: the
// segments of one trace, as trees. The daemon reports traces as these; the
// console renders them.
package xraytrace

import "time"

// OriginLambdaFunction is the origin of the segment Lambda records for each
// invocation.
const OriginLambdaFunction = "AWS::Lambda::Function"

// Trace is one completed trace: the segments the gateway recorded and every
// subsegment received for them, as trees.
type Trace struct {
	ID string
	// Roots are the recorded segments, plus any subsegment whose parent
	// never arrived (lost datagram, or sent under a parent nobody recorded),
	// ordered by start time.
	Roots []*Node
	// Dropped counts segments of this trace refused once it held its
	// maximum, so a reader knows the tree is incomplete.
	Dropped int
}

// Node is one segment or subsegment.
type Node struct {
	ID   string
	Name string
	// Origin is the AWS resource type of a segment, such as
	// "AWS::Lambda::Function"; empty for subsegments.
	Origin string
	// Namespace is "aws" for AWS SDK calls and "remote" for other
	// downstream calls; empty for the function's own subsegments.
	Namespace  string
	Start      time.Time
	End        time.Time // zero while InProgress
	InProgress bool
	// Fault marks a server-side failure (an error the code reported, or a
	// 5xx response), Error a 4xx response, Throttle a 429.
	Fault    bool
	Error    bool
	Throttle bool
	// Cause is the first exception message recorded with a fault.
	Cause string
	// Annotations holds the indexed keys: string, float64 or bool values.
	Annotations map[string]any
	// Operation and HTTPStatus describe an AWS SDK call (Namespace "aws").
	Operation  string
	HTTPStatus int
	// Children are ordered by start time.
	Children []*Node
}

// Duration is how long the segment ran, or 0 while it is in progress.
func (n *Node) Duration() time.Duration {
	if n.InProgress || n.End.IsZero() {
		return 0
	}
	return n.End.Sub(n.Start)
}
