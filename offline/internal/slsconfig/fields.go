package slsconfig

import (
	"strconv"
	"strings"
)

// entry returns the resolved i-th item of n and its path; nil when the
// item is null.
func (l *loader) entry(n *node, path string, i int) (*node, string, error) {
	item, p := n.items[i], childPath(n, path, i)
	if err := l.resolve(item, p); err != nil {
		return nil, p, err
	}
	if item.kind == scalarKind && item.value == nil {
		return nil, p, nil
	}
	return item, p, nil
}

// child returns the resolved value of key in parent and its path; nil when
// parent is nil or the key is missing or null.
func (l *loader) child(parent *node, path, key string) (*node, string, error) {
	p := join(path, key)
	if parent == nil {
		return nil, p, nil
	}
	for i, k := range parent.keys {
		if k == key {
			return l.entry(parent, path, i)
		}
	}
	return nil, p, nil
}

func (l *loader) mapping(parent *node, path, key string) (*node, string, error) {
	n, p, err := l.child(parent, path, key)
	if err != nil || n == nil {
		return nil, p, err
	}
	if n.kind != mapKind {
		return nil, p, l.errorf(n, p, "want a mapping, got %s", describe(n))
	}
	return n, p, nil
}

// str returns the text at key, "" when there is none.
func (l *loader) str(parent *node, path, key string) (string, error) {
	n, p, err := l.child(parent, path, key)
	if err != nil || n == nil {
		return "", err
	}
	s, ok := n.value.(string)
	if !ok || n.kind != scalarKind {
		return "", l.errorf(n, p, "want text, got %s", describe(n))
	}
	return s, nil
}

func (l *loader) required(parent *node, path, key, what string) (string, error) {
	s, err := l.str(parent, path, key)
	if err == nil && s == "" {
		err = l.errorf(parent, join(path, key), "want %s", what)
	}
	return s, err
}

// count reads a whole number of units within Lambda's limits; 0 when
// unset. Text that holds a number counts too, since ${env:...} only yields
// text.
func (l *loader) count(parent *node, path, key, unit string, lo, hi int) (int, error) {
	n, p, err := l.child(parent, path, key)
	if err != nil || n == nil {
		return 0, err
	}
	v, ok := n.value.(int)
	if s, isText := n.value.(string); isText {
		v, err = strconv.Atoi(strings.TrimSpace(s))
		ok = err == nil
	}
	if !ok || n.kind != scalarKind {
		return 0, l.errorf(n, p, "want a number of %s, got %s", unit, describe(n))
	}
	if v < lo || v > hi {
		return 0, l.errorf(n, p, "want %d to %d %s, got %d", lo, hi, unit, v)
	}
	return v, nil
}

func (l *loader) texts(n *node, path string) ([]string, error) {
	if n.kind != seqKind {
		return nil, l.errorf(n, path, "want a list of text, got %s", describe(n))
	}
	out := make([]string, 0, len(n.items))
	for i := range n.items {
		item, p, err := l.entry(n, path, i)
		if err != nil {
			return nil, err
		}
		s, ok := "", false
		if item != nil {
			s, ok = item.value.(string)
		}
		if !ok || item.kind != scalarKind {
			return nil, l.errorf(n.items[i], p, "want text, got %s", describe(n.items[i]))
		}
		out = append(out, s)
	}
	return out, nil
}
