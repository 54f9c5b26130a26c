package slsconfig

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"time"
)

// settings are what both the provider and a function can set.
type settings struct {
	runtime, architecture string
	memoryMB              int
	timeout               time.Duration
	environment           map[string]string
	tracing               string // "", Active or PassThrough
}

func (l *loader) settings(parent *node, path string) (settings, error) {
	var s settings
	var err error
	if s.runtime, err = l.str(parent, path, "runtime"); err != nil {
		return s, err
	}
	if s.architecture, err = l.str(parent, path, "architecture"); err != nil {
		return s, err
	}
	if s.architecture != "" && s.architecture != "arm64" && s.architecture != "x86_64" {
		n, p, _ := l.child(parent, path, "architecture")
		return s, l.errorf(n, p, "want arm64 or x86_64, got %q", s.architecture)
	}
	if s.memoryMB, err = l.count(parent, path, "memorySize", "megabytes", 128, 10240); err != nil {
		return s, err
	}
	seconds, err := l.count(parent, path, "timeout", "seconds", 1, 900)
	s.timeout = time.Duration(seconds) * time.Second
	if err != nil {
		return s, err
	}
	s.environment, err = l.environment(parent, path)
	return s, err
}

// websocketEvents are the events of one function, kept until every function
// is known, since an authorizer may name a function written further down.
type websocketEvents struct {
	function string
	events   *node
	path     string
}

func (l *loader) functions(c *Config, defaults settings) ([]websocketEvents, error) {
	fns, path, err := l.child(l.root, "", "functions")
	if err != nil || fns == nil {
		return nil, err
	}
	if fns.kind != mapKind {
		return nil, l.errorf(fns, path, "want a mapping of function keys to functions, got %s", describe(fns))
	}
	pkg, _, err := l.mapping(l.root, "", "package")
	if err != nil {
		return nil, err
	}
	serviceArtifact, err := l.str(pkg, "package", "artifact")
	if err != nil {
		return nil, err
	}
	var all []websocketEvents
	for i, key := range fns.keys {
		fn, p, err := l.entry(fns, path, i)
		if err != nil {
			return nil, err
		}
		if fn == nil {
			// The framework drops a function written with nothing under it.
			continue
		}
		if fn.kind != mapKind {
			return nil, l.errorf(fn, p, "want a mapping, got %s", describe(fn))
		}
		f, err := l.function(fn, p, key, c, defaults, serviceArtifact)
		if err != nil {
			return nil, err
		}
		c.Functions[key] = f
		events, ep, err := l.child(fn, p, "events")
		if err != nil {
			return nil, err
		}
		if events != nil && events.kind != seqKind {
			return nil, l.errorf(events, ep, "want a list of events, got %s", describe(events))
		}
		all = append(all, websocketEvents{function: key, events: events, path: ep})
	}
	return all, nil
}

func (l *loader) function(fn *node, path, key string, c *Config, defaults settings, serviceArtifact string) (*Function, error) {
	f := &Function{Key: key}
	var err error
	if f.Name, err = l.str(fn, path, "name"); err != nil {
		return nil, err
	}
	if f.Name == "" {
		f.Name = c.Service + "-" + c.Stage + "-" + key
	}
	if f.Handler, err = l.required(fn, path, "handler", "a handler"); err != nil {
		return nil, err
	}
	pkg, pp, err := l.mapping(fn, path, "package")
	if err != nil {
		return nil, err
	}
	if f.Artifact, err = l.str(pkg, pp, "artifact"); err != nil {
		return nil, err
	}
	if f.Artifact == "" {
		f.Artifact = serviceArtifact
	}
	if f.Artifact != "" && !filepath.IsAbs(f.Artifact) {
		f.Artifact = filepath.Join(filepath.Dir(l.file), f.Artifact)
	}
	own, err := l.settings(fn, path)
	if err != nil {
		return nil, err
	}
	f.Runtime = first(own.runtime, defaults.runtime)
	f.Architecture = first(own.architecture, defaults.architecture, "x86_64")
	f.MemoryMB = first(own.memoryMB, defaults.memoryMB, 1024)
	f.Timeout = first(own.timeout, defaults.timeout, 6*time.Second)
	if own.tracing, err = l.tracingMode(fn, path, "tracing"); err != nil {
		return nil, err
	}
	f.Tracing = first(own.tracing, defaults.tracing, "PassThrough")
	f.Environment = make(map[string]string, len(defaults.environment)+len(own.environment))
	maps.Copy(f.Environment, defaults.environment)
	maps.Copy(f.Environment, own.environment)
	return f, nil
}

// tracingMode reads a tracing setting: true or Active, false or
// PassThrough; "" when unset.
func (l *loader) tracingMode(parent *node, path, key string) (string, error) {
	n, p, err := l.child(parent, path, key)
	if err != nil || n == nil {
		return "", err
	}
	if n.kind == scalarKind {
		switch n.value {
		case true, "true", "Active":
			return "Active", nil
		case false, "false", "PassThrough":
			return "PassThrough", nil
		}
	}
	return "", l.errorf(n, p, "want true, false, Active or PassThrough, got %s", describe(n))
}

func first[T comparable](values ...T) T {
	var zero T
	for _, v := range values {
		if v != zero {
			return v
		}
	}
	return zero
}

// environment reads an `environment:` mapping. Lambda takes only text, so
// numbers and booleans are written out as the file has them.
func (l *loader) environment(parent *node, path string) (map[string]string, error) {
	env, path, err := l.mapping(parent, path, "environment")
	if err != nil || env == nil {
		return nil, err
	}
	vars := make(map[string]string, len(env.keys))
	for i, name := range env.keys {
		v, p, err := l.entry(env, path, i)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		switch v.kind {
		case mapKind:
			if vars[name], err = l.intrinsic(v, p); err != nil {
				return nil, err
			}
		case seqKind:
			return nil, l.errorf(v, p, "want text, got a list")
		default:
			vars[name], _ = asText(v)
		}
	}
	return vars, nil
}

// intrinsic evaluates a CloudFormation expression given as an environment
// value. Only a Ref to a DynamoDB table with a TableName can be evaluated
// locally: it yields that name.
func (l *loader) intrinsic(v *node, path string) (string, error) {
	if ref := v.get("Ref"); ref != nil && len(v.keys) == 1 {
		if err := l.resolve(ref, join(path, "Ref")); err != nil {
			return "", err
		}
		if id, ok := ref.value.(string); ok && ref.kind == scalarKind {
			if name, err := l.tableName(id); name != "" || err != nil {
				return name, err
			}
		}
	}
	if err := l.resolveAll(v, path); err != nil {
		return "", err
	}
	expr, err := l.toAny(v)
	if err != nil {
		return "", err
	}
	text, err := json.Marshal(expr)
	if err != nil {
		return "", l.errorf(v, path, "%w", err)
	}
	l.warnf(v, path, "CloudFormation expression %s cannot be evaluated locally; left as written", text)
	return string(text), nil
}

func (l *loader) tableName(logicalID string) (string, error) {
	typ, err := l.lookup("resources.Resources." + logicalID + ".Type")
	if err != nil || typ == nil || typ.value != "AWS::DynamoDB::Table" {
		return "", err
	}
	name, err := l.lookup("resources.Resources." + logicalID + ".Properties.TableName")
	if err != nil || name == nil {
		return "", err
	}
	s, _ := name.value.(string)
	return s, nil
}
