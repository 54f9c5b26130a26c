package slsconfig

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

type kind uint8

const (
	scalarKind kind = iota
	mapKind
	seqKind
)

// state tracks a resolution in progress, so that a value that needs itself
// is reported instead of recursing forever.
type state uint8

const (
	pending state = iota
	resolving
	resolved
)

// A node is one value of serverless.yml with the line it was written on.
// Mappings keep their keys in file order: routes are listed in that order.
// A node reached through several YAML aliases is shared, never copied, so
// an alias bomb costs nothing until something expands it (see toAny).
type node struct {
	kind  kind
	line  int
	keys  []string // mapKind: the keys in file order
	items []*node  // mapKind: the value of each key; seqKind: the items
	value any      // scalarKind: string, int, float64, bool or nil

	own  state // the variables in this node's own value
	deep state // this node and everything under it
}

func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.items[i]
		}
	}
	return nil
}

// cfnFunctions are the CloudFormation short forms the Serverless Framework
// accepts (`!Ref X` for `{Ref: X}`, `!GetAtt A.B` for `{Fn::GetAtt: [A, B]}`).
var cfnFunctions = map[string]string{
	"And": "Fn::And", "Base64": "Fn::Base64", "Cidr": "Fn::Cidr", "Condition": "Condition",
	"Equals": "Fn::Equals", "FindInMap": "Fn::FindInMap", "GetAtt": "Fn::GetAtt", "GetAZs": "Fn::GetAZs",
	"GetStackOutput": "Fn::GetStackOutput", "If": "Fn::If", "ImportValue": "Fn::ImportValue",
	"Join": "Fn::Join", "Not": "Fn::Not", "Or": "Fn::Or", "Ref": "Ref", "Select": "Fn::Select",
	"Split": "Fn::Split", "Sub": "Fn::Sub", "Transform": "Fn::Transform",
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseTree reads a YAML document into nodes; file names it in errors.
func parseTree(file string, data []byte) (*node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("%s:%s: %s", file, m[1], msg[len(m[0]):])
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: the file holds no configuration", file)
	}
	c := converter{shared: map[*yaml.Node]*node{}, open: map[*yaml.Node]bool{}}
	root, err := c.convert(doc.Content[0])
	if err != nil {
		var le *lineError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("%s:%d: %s", file, le.line, le.msg)
		}
		return nil, err
	}
	if root.kind != mapKind {
		return nil, fmt.Errorf("%s:%d: want a mapping at the top level, got %s", file, root.line, describe(root))
	}
	return root, nil
}

type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func errorAt(y *yaml.Node, format string, args ...any) error {
	return &lineError{line: y.Line, msg: fmt.Sprintf(format, args...)}
}

type converter struct {
	shared map[*yaml.Node]*node // anchored nodes, converted once
	open   map[*yaml.Node]bool  // anchored nodes being converted
}

func (c *converter) convert(y *yaml.Node) (*node, error) {
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return nil, errorAt(y, "alias *%s refers to no anchor", y.Value)
		}
		y = y.Alias
	}
	if y.Anchor == "" {
		return c.convertTagged(y)
	}
	if n, ok := c.shared[y]; ok {
		return n, nil
	}
	// yaml.v3 registers an anchor before reading its value, so `&a [*a]` is a loop.
	if c.open[y] {
		return nil, errorAt(y, "anchor &%s contains an alias to itself", y.Anchor)
	}
	c.open[y] = true
	n, err := c.convertTagged(y)
	delete(c.open, y)
	c.shared[y] = n
	return n, err
}

func (c *converter) convertTagged(y *yaml.Node) (*node, error) {
	if !strings.HasPrefix(y.Tag, "!") || strings.HasPrefix(y.Tag, "!!") || y.Tag == "!" {
		return c.convertPlain(y)
	}
	fn, ok := cfnFunctions[y.Tag[1:]]
	if !ok {
		return nil, errorAt(y, "unknown tag %s", y.Tag)
	}
	var arg *node
	switch {
	case y.Kind == yaml.ScalarNode && fn == "Fn::GetAtt":
		// The dot form names the resource before the first dot, the attribute after it.
		name, attr, _ := strings.Cut(y.Value, ".")
		arg = &node{kind: seqKind, line: y.Line, items: []*node{
			{kind: scalarKind, line: y.Line, value: name},
			{kind: scalarKind, line: y.Line, value: attr},
		}}
	case y.Kind == yaml.ScalarNode:
		arg = &node{kind: scalarKind, line: y.Line, value: y.Value}
	default:
		plain := *y
		plain.Tag = ""
		var err error
		if arg, err = c.convertPlain(&plain); err != nil {
			return nil, err
		}
	}
	return &node{kind: mapKind, line: y.Line, keys: []string{fn}, items: []*node{arg}}, nil
}

func (c *converter) convertPlain(y *yaml.Node) (*node, error) {
	switch y.Kind {
	case yaml.ScalarNode:
		v, err := scalarValue(y)
		if err != nil {
			return nil, err
		}
		return &node{kind: scalarKind, line: y.Line, value: v}, nil
	case yaml.SequenceNode:
		n := &node{kind: seqKind, line: y.Line, items: make([]*node, 0, len(y.Content))}
		for _, item := range y.Content {
			v, err := c.convert(item)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
		}
		return n, nil
	case yaml.MappingNode:
		return c.convertMapping(y)
	}
	return nil, errorAt(y, "unexpected YAML node")
}

// convertMapping applies merge keys (`<<: *defaults`) as js-yaml does: a
// merged key never replaces one already present, and a key written
// explicitly replaces a merged one but may not be written twice.
func (c *converter) convertMapping(y *yaml.Node) (*node, error) {
	n := &node{kind: mapKind, line: y.Line}
	index := map[string]int{}
	explicit := map[string]bool{}
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			m, err := c.convert(v)
			if err != nil {
				return nil, err
			}
			sources := []*node{m}
			if m.kind == seqKind {
				sources = m.items
			}
			for _, src := range sources {
				if src.kind != mapKind {
					return nil, errorAt(v, "merge key <<: want a mapping or a list of mappings, got %s", describe(src))
				}
				for j, key := range src.keys {
					if _, ok := index[key]; !ok {
						index[key] = len(n.keys)
						n.keys = append(n.keys, key)
						n.items = append(n.items, src.items[j])
					}
				}
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, errorAt(k, "want a plain key, got %s", kindName(k.Kind))
		}
		if explicit[k.Value] {
			return nil, errorAt(k, "key %q appears twice in this mapping", k.Value)
		}
		explicit[k.Value] = true
		val, err := c.convert(v)
		if err != nil {
			return nil, err
		}
		if j, ok := index[k.Value]; ok {
			n.items[j] = val
			continue
		}
		index[k.Value] = len(n.keys)
		n.keys = append(n.keys, k.Value)
		n.items = append(n.items, val)
	}
	return n, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// scalarValue types a scalar as the Serverless Framework's YAML schema does,
// which keeps date-like values (an IAM policy's `Version: 2012-10-17`) as text.
func scalarValue(y *yaml.Node) (any, error) {
	switch tag := y.ShortTag(); tag {
	case "!!null":
		return nil, nil
	case "!!str", "!!timestamp", "!!binary":
		return y.Value, nil
	case "!!bool":
		var b bool
		if err := y.Decode(&b); err != nil {
			return nil, errorAt(y, "want true or false, got %q", y.Value)
		}
		return b, nil
	case "!!int":
		var i int
		if err := y.Decode(&i); err == nil {
			return i, nil
		}
		// Too large for an int: keep it as a number all the same.
		f, err := strconv.ParseFloat(strings.ReplaceAll(y.Value, "_", ""), 64)
		if err != nil {
			return nil, errorAt(y, "want an integer, got %q", y.Value)
		}
		return f, nil
	case "!!float":
		var f float64
		if err := y.Decode(&f); err != nil {
			return nil, errorAt(y, "want a number, got %q", y.Value)
		}
		return f, nil
	default:
		return nil, errorAt(y, "unknown tag %s", tag)
	}
}

// describe names a value for an error message.
func describe(n *node) string {
	switch n.kind {
	case mapKind:
		return "a mapping"
	case seqKind:
		return "a list"
	}
	switch v := n.value.(type) {
	case string:
		return strconv.Quote(v)
	case nil:
		return "nothing"
	default:
		return fmt.Sprint(v)
	}
}
