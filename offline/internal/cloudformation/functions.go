package cloudformation

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Lambda's defaults for a function that does not set them.
const (
	defaultTimeout  = 3 * time.Second
	defaultMemoryMB = 128
)

// ServeFunction makes the function whose logical id is id served, as a
// route, an authorizer or an event source mapping that uses it does, and
// returns its Key; false when it has no bootstrap here, which is warned
// about once.
func (t *Template) ServeFunction(id string) (string, bool) {
	if key, ok := t.keyOf[id]; ok {
		return key, true
	}
	if t.noLocal[id] {
		return "", false
	}
	p := t.res[id].Properties
	fn := Function{
		LogicalID: id,
		Key:       id,
		Name:      t.Name(id),
		Env:       map[string]string{},
		Timeout:   defaultTimeout,
		MemoryMB:  defaultMemoryMB,
		Tracing:   "PassThrough",
	}
	opts := t.r.opts
	b, ok := opts.Bootstraps[id]
	if !ok {
		b = opts.Bootstraps[fn.Name]
	}
	fn.Bootstrap = b.Path
	if b.Key != "" {
		fn.Key = b.Key
	}
	if _, err := os.Stat(fn.Bootstrap); fn.Bootstrap == "" || err != nil {
		t.noLocal[id] = true
		where := "no bootstrap was given"
		if fn.Bootstrap != "" {
			where = "no bootstrap at " + fn.Bootstrap
		}
		t.Warnf(id, "function %s: %s: build it with `%s`; its routes are not served", fn.Name, where, opts.BuildCommand)
		return "", false
	}
	if env, ok := p["Environment"].(map[string]any); ok {
		vars, _ := env["Variables"].(map[string]any)
		for k, v := range vars {
			if v != nil {
				fn.Env[k] = scalar(v)
			}
		}
	}
	if n, ok := Int(p["Timeout"]); ok {
		fn.Timeout = time.Duration(n) * time.Second
	}
	if n, ok := Int(p["MemorySize"]); ok {
		fn.MemoryMB = n
	}
	if tc, ok := p["TracingConfig"].(map[string]any); ok && String(tc["Mode"]) != "" {
		fn.Tracing = String(tc["Mode"])
	}
	if _, taken := t.Functions[fn.Key]; taken {
		fn.Key = id // two bootstraps in directories of the same name
	}
	t.Functions[fn.Key] = fn
	t.keyOf[id] = fn.Key
	return fn.Key, true
}

// UnmatchedBootstraps warns about each bootstrap given for a function the
// template does not have, naming those it has: bootstraps given by hand
// for a template (-bootstrap) may name a function that is not there.
func UnmatchedBootstraps(lambdaFunctions map[string]string, bootstraps map[string]Bootstrap) []string {
	var functions []string
	known := map[string]bool{}
	for _, id := range sortedKeys(lambdaFunctions) {
		name := lambdaFunctions[id]
		known[id], known[name] = true, true
		functions = append(functions, fmt.Sprintf("%s (FunctionName %s)", id, name))
	}
	var warnings []string
	for _, key := range sortedKeys(bootstraps) {
		if !known[key] {
			warnings = append(warnings, fmt.Sprintf("%s: a bootstrap is given for %s, but the template has no AWS::Lambda::Function with that logical id or FunctionName; its functions: %s",
				key, key, strings.Join(functions, ", ")))
		}
	}
	return warnings
}
