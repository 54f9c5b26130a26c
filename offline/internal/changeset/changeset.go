// Package changeset compares two versions of a served template, as a
// CloudFormation change set compares a stack with its update: which
// routes, functions, tables, queues and event source mappings were added, changed or removed, so that a
// reload deploys only those and says what it did in one line.
package changeset

import (
	"maps"
	"reflect"
	"slices"
	"strings"

	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/sqslocal"
)

// Change says what became of one resource.
type Change int

// The changes a resource can go through; the zero Change is none.
const (
	Added Change = iota + 1
	Changed
	Removed
)

func (c Change) String() string {
	switch c {
	case Added:
		return "added"
	case Changed:
		return "changed"
	case Removed:
		return "removed"
	}
	return "unchanged"
}

// ChangeSet is the difference between two services, each map by route key,
// function key, or the logical id of a table, queue or event source mapping.
type ChangeSet struct {
	Routes    map[string]Change
	Functions map[string]Change
	Tables    map[string]Change
	Queues    map[string]Change
	// EventSourceMappings change when their own properties do; a mapping
	// whose function changed is not, the function is.
	EventSourceMappings map[string]Change
	// RouteSelection is set when the API's RouteSelectionExpression changed.
	RouteSelection bool
	// Warnings are the new service's warnings the old one did not have.
	Warnings []string
}

// Compute returns what changed from old to new.
func Compute(old, new *deploy.Service) ChangeSet {
	return ChangeSet{
		Routes:    compare(old.Routes, new.Routes),
		Functions: compare(old.Functions, new.Functions),
		Tables:    compare(byLogicalID(old.Tables, tableID), byLogicalID(new.Tables, tableID)),
		Queues:    compare(byLogicalID(old.Queues, queueID), byLogicalID(new.Queues, queueID)),
		EventSourceMappings: compare(byLogicalID(old.EventSourceMappings, mappingID),
			byLogicalID(new.EventSourceMappings, mappingID)),
		RouteSelection: old.RouteSelectionExpression != new.RouteSelectionExpression,
		Warnings: slices.DeleteFunc(slices.Clone(new.Warnings), func(w string) bool {
			return slices.Contains(old.Warnings, w)
		}),
	}
}

// Empty reports whether nothing served changed.
func (cs ChangeSet) Empty() bool {
	return len(cs.Routes) == 0 && len(cs.Functions) == 0 && len(cs.Tables) == 0 &&
		len(cs.Queues) == 0 && len(cs.EventSourceMappings) == 0 && !cs.RouteSelection
}

// RoutesChanged reports whether the gateway's routes must be set again.
func (cs ChangeSet) RoutesChanged() bool {
	return len(cs.Routes) > 0 || cs.RouteSelection
}

// String names each change, routes first, then functions, tables, queues
// and event source mappings, each sorted: "route goodbye added, function
// hello changed".
func (cs ChangeSet) String() string {
	var parts []string
	for _, kind := range []struct {
		name    string
		changes map[string]Change
	}{{"route", cs.Routes}, {"function", cs.Functions}, {"table", cs.Tables}, {"queue", cs.Queues},
		{"event source mapping", cs.EventSourceMappings}} {
		for _, k := range slices.Sorted(maps.Keys(kind.changes)) {
			parts = append(parts, kind.name+" "+k+" "+kind.changes[k].String())
		}
	}
	if cs.RouteSelection {
		parts = append(parts, "route selection expression changed")
	}
	if len(parts) == 0 {
		return "nothing served changed"
	}
	return strings.Join(parts, ", ")
}

// compare lists the keys of old and new whose values differ. The values
// are plain data read from a template, so deep equality is their identity.
func compare[V any](old, new map[string]V) map[string]Change {
	changes := map[string]Change{}
	for k, n := range new {
		o, ok := old[k]
		switch {
		case !ok:
			changes[k] = Added
		case !reflect.DeepEqual(o, n):
			changes[k] = Changed
		}
	}
	for k := range old {
		if _, ok := new[k]; !ok {
			changes[k] = Removed
		}
	}
	return changes
}

func byLogicalID[V any](list []V, id func(V) string) map[string]V {
	m := make(map[string]V, len(list))
	for _, v := range list {
		m[id(v)] = v
	}
	return m
}

func tableID(t dynamolocal.TableResource) string     { return t.LogicalID }
func queueID(q sqslocal.QueueResource) string        { return q.LogicalID }
func mappingID(m eventsource.MappingResource) string { return m.LogicalID }
