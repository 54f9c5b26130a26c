package xraydaemon

import (
	"cmp"
	"slices"
	"time"
)

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

// buildTrace nests entries by parent. Entries are owned by the caller and
// not shared with anything else, so their nodes are linked in place.
func buildTrace(id string, entries map[string]*entry, dropped int) *Trace {
	children := make(map[string][]*entry, len(entries))
	var roots []*entry
	for _, e := range entries {
		if _, ok := entries[e.parent]; ok && e.parent != e.node.ID {
			children[e.parent] = append(children[e.parent], e)
		} else {
			roots = append(roots, e)
		}
	}
	byStart := func(a, b *entry) int {
		return cmp.Or(a.node.Start.Compare(b.node.Start), cmp.Compare(a.node.Name, b.node.Name), cmp.Compare(a.node.ID, b.node.ID))
	}
	seen := make(map[string]bool, len(entries))
	var link func(e *entry) *Node
	link = func(e *entry) *Node {
		seen[e.node.ID] = true
		n := &e.node
		kids := children[e.node.ID]
		if n.Origin == OriginLambdaFunction {
			var own []*entry
			for _, k := range kids {
				if k.invocation && !seen[k.node.ID] {
					seen[k.node.ID] = true
					own = append(own, children[k.node.ID]...)
				} else {
					own = append(own, k)
				}
			}
			kids = own
		}
		slices.SortFunc(kids, byStart)
		for _, k := range kids {
			if !seen[k.node.ID] {
				n.Children = append(n.Children, link(k))
			}
		}
		return n
	}
	t := &Trace{ID: id, Dropped: dropped}
	slices.SortFunc(roots, byStart)
	for _, r := range roots {
		t.Roots = append(t.Roots, link(r))
	}
	// Parent ids that form a cycle leave their members unreachable from any
	// root; show them as roots rather than lose them.
	if len(seen) < len(entries) {
		var rest []*entry
		for _, e := range entries {
			if !seen[e.node.ID] {
				rest = append(rest, e)
			}
		}
		slices.SortFunc(rest, byStart)
		for _, e := range rest {
			if !seen[e.node.ID] {
				t.Roots = append(t.Roots, link(e))
			}
		}
	}
	return t
}
