package xraydaemon

import (
	"cmp"
	"slices"

	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// buildTrace nests entries by parent. Entries are owned by the caller and
// not shared with anything else, so their nodes are linked in place.
func buildTrace(id string, entries map[string]*entry, dropped int) *xraytrace.Trace {
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
	var link func(e *entry) *xraytrace.Node
	link = func(e *entry) *xraytrace.Node {
		seen[e.node.ID] = true
		n := &e.node
		kids := children[e.node.ID]
		if n.Origin == xraytrace.OriginLambdaFunction {
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
	t := &xraytrace.Trace{ID: id, Dropped: dropped}
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
