package slsconfig

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// errNotLocal marks a variable only AWS or the framework can resolve
// (${ssm:...}, ${cf:...}, ${aws:accountId}, ${file(...)}, ...).
var errNotLocal = errors.New("cannot be resolved locally")

var stagePattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// resolve replaces the variables in n's own value. Children are resolved
// as they are read, so a variable in a part of the file the gateway never
// reads cannot stop it.
func (l *loader) resolve(n *node, path string) error {
	switch n.own {
	case resolved:
		return nil
	case resolving:
		return l.errorf(n, path, "circular reference: %s needs its own value", describe(n))
	}
	s, ok := n.value.(string)
	if n.kind != scalarKind || !ok || !strings.Contains(s, "${") {
		n.own = resolved
		return nil
	}
	if err := l.spend(len(s)); err != nil {
		return err
	}
	vars, err := parseVariables(s)
	if err != nil {
		return l.errorf(n, path, "invalid variable in %q: %w", s, err)
	}
	if len(vars) == 0 {
		n.own = resolved
		return nil
	}
	n.own = resolving
	var unresolved []string
	if len(vars) == 1 && vars[0].start == 0 && vars[0].end == len(s) {
		// A variable that is the whole value takes its value's type: a
		// mapping, a list, a number.
		v, err := l.value(n, vars[0], s, path)
		switch {
		case errors.Is(err, errNotLocal):
			unresolved = []string{s}
		case err != nil:
			return err
		default:
			n.kind, n.keys, n.items, n.value = v.kind, v.keys, v.items, v.value
		}
	} else {
		n.value, unresolved, err = l.interpolate(n, s, vars, path)
		if err != nil {
			return err
		}
	}
	n.own = resolved
	if len(unresolved) > 0 {
		l.warnf(n, path, "%s cannot be resolved locally; left as written", strings.Join(unresolved, ", "))
	}
	return nil
}

// resolveAll resolves n and everything under it.
func (l *loader) resolveAll(n *node, path string) error {
	if err := l.resolve(n, path); err != nil {
		return err
	}
	switch n.deep {
	case resolved:
		return nil
	case resolving:
		return l.errorf(n, path, "circular reference: the value holds a variable that refers back to it")
	}
	n.deep = resolving
	for i, item := range n.items {
		if err := l.resolveAll(item, childPath(n, path, i)); err != nil {
			return err
		}
	}
	n.deep = resolved
	return nil
}

// interpolate replaces each variable in s with its value as text. It also
// returns the variables it left as written because only AWS knows them.
func (l *loader) interpolate(n *node, s string, vars []variable, path string) (string, []string, error) {
	var b strings.Builder
	var unresolved []string
	last := 0
	for _, v := range vars {
		b.WriteString(s[last:v.start])
		last = v.end
		raw := s[v.start:v.end]
		val, err := l.value(n, v, raw, path)
		if errors.Is(err, errNotLocal) {
			unresolved = append(unresolved, raw)
			b.WriteString(raw)
			continue
		}
		if err != nil {
			return "", nil, err
		}
		text, ok := asText(val)
		if !ok {
			return "", nil, l.errorf(n, path, "%s is %s, which cannot be part of a longer string", raw, describe(val))
		}
		b.WriteString(text)
	}
	b.WriteString(s[last:])
	if err := l.spend(b.Len()); err != nil {
		return "", nil, err
	}
	return b.String(), unresolved, nil
}

// value returns the value of the first of v's sources that has one.
func (l *loader) value(n *node, v variable, raw, path string) (*node, error) {
	notLocal := false
	for _, src := range v.sources {
		if src.typ == "" {
			return &node{kind: scalarKind, line: n.line, value: src.literal, own: resolved, deep: resolved}, nil
		}
		val, err := l.source(n, src, path)
		if errors.Is(err, errNotLocal) {
			// Try the fallback: it is what a local run wants.
			notLocal = true
			continue
		}
		if err != nil {
			return nil, err
		}
		if val != nil && (val.kind != scalarKind || val.value != nil) {
			return val, nil
		}
	}
	if notLocal {
		return nil, errNotLocal
	}
	return nil, l.errorf(n, path, "%s has no value and no fallback", raw)
}

func (l *loader) source(n *node, src source, path string) (*node, error) {
	addr := src.address
	if strings.Contains(addr, "${") {
		// Each nested level parses its address again: count that work too.
		if err := l.spend(len(addr)); err != nil {
			return nil, err
		}
		vars, err := parseVariables(addr)
		if err != nil {
			return nil, l.errorf(n, path, "invalid variable in %q: %w", addr, err)
		}
		var unresolved []string
		if addr, unresolved, err = l.interpolate(n, addr, vars, path); err != nil {
			return nil, err
		}
		if len(unresolved) > 0 {
			return nil, errNotLocal
		}
	}
	text := func(s string, err error) (*node, error) {
		if err != nil || s == "" {
			return nil, err
		}
		return &node{kind: scalarKind, line: n.line, value: s, own: resolved, deep: resolved}, nil
	}
	switch {
	case src.typ == "self":
		return l.lookup(addr)
	case src.typ == "opt" && addr == "stage":
		return text(l.opts.Stage, nil)
	case src.typ == "opt" && addr == "region":
		return text(l.opts.Region, nil)
	case src.typ == "opt":
		// No other command-line option is given to a local run.
		return nil, nil
	case src.typ == "env":
		if v, ok := l.opts.Env(addr); ok {
			// An empty variable is a value, as in the framework.
			return &node{kind: scalarKind, line: n.line, value: v, own: resolved, deep: resolved}, nil
		}
		return nil, nil
	case src.typ == "sls" && addr == "stage":
		return text(l.stage())
	case src.typ == "aws" && addr == "region":
		return text(l.region())
	}
	return nil, errNotLocal
}

// lookup returns the resolved value at a dotted path from the top of the
// file, or nil if there is none.
func (l *loader) lookup(address string) (*node, error) {
	cur, path := l.root, ""
	for _, key := range strings.Split(address, ".") {
		// The way down may itself be a variable that yields a mapping.
		if err := l.resolve(cur, path); err != nil {
			return nil, err
		}
		switch cur.kind {
		case mapKind:
			cur = cur.get(key)
		case seqKind:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(cur.items) {
				return nil, nil
			}
			cur = cur.items[i]
		default:
			return nil, nil
		}
		if cur == nil {
			return nil, nil
		}
		path = join(path, key)
	}
	return cur, l.resolveAll(cur, path)
}

// stage is ${sls:stage}: the stage option, else provider.stage, else "dev".
func (l *loader) stage() (string, error) {
	stage, err := l.setting(l.opts.Stage, "provider.stage", "dev")
	if err != nil {
		return "", err
	}
	if !stagePattern.MatchString(stage) {
		return "", l.errorf(nil, "", "stage %q: a stage name holds only ASCII letters, digits and hyphens", stage)
	}
	return stage, nil
}

// region is ${aws:region}: the region option, else provider.region, else
// the framework's default.
func (l *loader) region() (string, error) {
	return l.setting(l.opts.Region, "provider.region", "us-east-1")
}

func (l *loader) setting(option, address, fallback string) (string, error) {
	if option != "" {
		return option, nil
	}
	n, err := l.lookup(address)
	if err != nil || n == nil || n.kind == scalarKind && n.value == nil {
		return fallback, err
	}
	if s, ok := n.value.(string); ok && n.kind == scalarKind {
		return s, nil
	}
	return "", l.errorf(n, address, "want a string, got %s", describe(n))
}

// asText is how the framework writes a value into a longer string.
func asText(n *node) (string, bool) {
	if n.kind != scalarKind {
		return "", false
	}
	switch v := n.value.(type) {
	case string:
		return v, true
	case int:
		return strconv.Itoa(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func childPath(n *node, path string, i int) string {
	if n.kind == mapKind {
		return join(path, n.keys[i])
	}
	return path + "[" + strconv.Itoa(i) + "]"
}
