package cloudformation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// resolver resolves intrinsic functions in one template. goformation walks
// the values and evaluates Fn::Join, Fn::If, the condition functions,
// Fn::FindInMap and Fn::Base64; the handlers here replace those of its
// handlers that cannot be right for a stack: its Ref knows no resource and
// has a fixed region, its Fn::GetAtt resolves nothing, its Fn::Sub calls
// those two directly, its Fn::Split returns a list its own Fn::Select cannot
// index, and its Fn::Select indexes without checking bounds.
type resolver struct {
	opts       Options
	parameters map[string]any
	conditions map[string]any // each evaluated to a bool
	resources  map[string]resource

	names     map[string]string // physical names by logical id, once resolved
	resolving map[string]bool   // names under way, against cycles
	at        string            // the logical id being resolved, for warnings
	warnings  []string
	err       error
}

// resource is one entry of the template's Resources, before resolution.
type resource struct {
	Type       string
	Condition  string
	Properties map[string]any
}

func newResolver(tpl document, opts Options) (*resolver, error) {
	r := &resolver{
		opts:       opts,
		parameters: tpl.Parameters,
		resources:  tpl.Resources,
		names:      map[string]string{},
		resolving:  map[string]bool{},
	}
	for name, p := range r.parameters {
		if v, ok := opts.Parameters[name]; ok {
			if m, ok := p.(map[string]any); ok {
				m["Default"] = v
			}
		}
	}
	// Conditions may use one another and Ref parameters; goformation
	// evaluates them in place, each to a bool.
	r.conditions = tpl.Conditions
	if len(tpl.Conditions) > 0 {
		out, err := r.process(map[string]any{"Parameters": r.parameters, "Conditions": tpl.Conditions}, true)
		if err != nil {
			return nil, err
		}
		evaluated, _ := out.(map[string]any)["Conditions"].(map[string]any)
		for name, v := range evaluated {
			if _, ok := v.(bool); !ok {
				return nil, fmt.Errorf("condition %s: does not evaluate to true or false: %v", name, v)
			}
		}
		r.conditions = evaluated
	}
	return r, r.err
}

// condition reports whether a named condition holds.
func (r *resolver) condition(name string) (bool, error) {
	v, ok := r.conditions[name].(bool)
	if !ok {
		return false, fmt.Errorf("condition %s is not defined in Conditions", name)
	}
	return v, nil
}

// resolve returns v with every intrinsic function resolved; at names the
// resource it belongs to in warnings.
func (r *resolver) resolve(at string, v any) (any, error) {
	outer := r.at
	r.at = at
	defer func() { r.at = outer }()
	out, err := r.process(map[string]any{"Parameters": r.parameters, "Conditions": r.conditions, "Value": v}, false)
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		return nil, r.err
	}
	return out.(map[string]any)["Value"], nil
}

// process runs goformation over a document that holds the template's
// Parameters and Conditions beside the value, since its Ref and Fn::If read
// them from the document they are given.
func (r *resolver) process(doc map[string]any, evaluateConditions bool) (out any, err error) {
	in, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	defer func() {
		// goformation's handlers index their arguments unchecked: a
		// malformed function is an error, not a crash.
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: malformed intrinsic function: %v", r.at, p)
		}
	}()
	processed, err := intrinsics.ProcessJSON(in, &intrinsics.ProcessorOptions{
		EvaluateConditions: evaluateConditions,
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref":             func(_ string, in, _ any) any { return r.ref(in) },
			"Fn::GetAtt":      func(_ string, in, _ any) any { return r.getAtt(in) },
			"Fn::Sub":         func(_ string, in, _ any) any { return r.sub(in) },
			"Fn::Select":      func(_ string, in, _ any) any { return r.selectFn(in) },
			"Fn::Split":       func(_ string, in, _ any) any { return r.split(in) },
			"Fn::ImportValue": func(_ string, in, _ any) any { return r.importValue(in) },
		},
	})
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if err := json.Unmarshal(processed, &out); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return out, nil
}

func (r *resolver) fail(format string, args ...any) any {
	if r.err == nil {
		r.err = fmt.Errorf("%s: %s", r.at, fmt.Sprintf(format, args...))
	}
	return nil
}

func (r *resolver) warn(format string, args ...any) {
	r.warnings = append(r.warnings, r.at+": "+fmt.Sprintf(format, args...))
}

func (r *resolver) ref(in any) any {
	name, ok := in.(string)
	if !ok {
		return r.fail("Ref takes a name, got %v", in)
	}
	if v, ok := r.pseudo(name); ok {
		return v
	}
	if p, ok := r.parameters[name].(map[string]any); ok {
		if v, ok := p["Default"]; ok {
			return v
		}
		return r.fail("Ref %s: the parameter has no Default and no value was given", name)
	}
	res, ok := r.resources[name]
	if !ok {
		return r.fail("Ref %s: no such parameter or resource", name)
	}
	return refValue(r, name, res)
}

// pseudo resolves the pseudo parameters of a stack in the local account.
func (r *resolver) pseudo(name string) (any, bool) {
	switch name {
	case "AWS::Region":
		return r.opts.Region, true
	case "AWS::AccountId":
		return r.opts.AccountID, true
	case "AWS::Partition":
		return r.partition(), true
	case "AWS::URLSuffix":
		if strings.HasPrefix(r.opts.Region, "cn-") {
			return "amazonaws.com.cn", true
		}
		return "amazonaws.com", true
	case "AWS::StackName":
		return r.opts.StackName, true
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", r.partition(), r.opts.Region, r.opts.AccountID,
			r.opts.StackName, "00000000-0000-0000-0000-000000000000"), true
	case "AWS::NoValue":
		return nil, true
	case "AWS::NotificationARNs":
		return []any{}, true
	}
	return nil, false
}

func (r *resolver) partition() string {
	switch {
	case strings.HasPrefix(r.opts.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(r.opts.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func (r *resolver) getAtt(in any) any {
	var id, attr string
	switch x := in.(type) {
	case string:
		id, attr, _ = strings.Cut(x, ".")
	case []any:
		if len(x) == 2 {
			id, _ = x[0].(string)
			attr, _ = x[1].(string)
		}
	}
	if id == "" || attr == "" {
		return r.fail("Fn::GetAtt takes [LogicalId, Attribute], got %v", in)
	}
	res, ok := r.resources[id]
	if !ok {
		return r.fail("Fn::GetAtt %s.%s: no such resource", id, attr)
	}
	v, ok := attValue(r, id, res, attr)
	if !ok {
		r.warn("Fn::GetAtt %s.%s: the gateway does not know this return value of %s; it resolves to \"\" here", id, attr, res.Type)
		return ""
	}
	return v
}

var subVariable = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub substitutes ${Name}, ${Resource.Attribute} and the variables given in
// the second form; ${!Literal} stands for ${Literal}.
func (r *resolver) sub(in any) any {
	var text string
	vars := map[string]any{}
	switch x := in.(type) {
	case string:
		text = x
	case []any:
		if len(x) != 2 {
			return r.fail("Fn::Sub takes a string or [string, {variables}], got %v", in)
		}
		text, _ = x[0].(string)
		m, ok := x[1].(map[string]any)
		if !ok {
			return r.fail("Fn::Sub's variables must be a mapping, got %v", x[1])
		}
		vars = m
	default:
		return r.fail("Fn::Sub takes a string or [string, {variables}], got %v", in)
	}
	return subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var v any
		if x, ok := vars[name]; ok {
			v = x
		} else if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
			v = r.getAtt(name)
		} else {
			v = r.ref(name)
		}
		return scalar(v)
	})
}

func (r *resolver) selectFn(in any) any {
	args, ok := in.([]any)
	if !ok || len(args) != 2 {
		return r.fail("Fn::Select takes [index, list], got %v", in)
	}
	var i int
	switch x := args[0].(type) {
	case float64:
		i = int(x)
	case string:
		n, err := strconv.Atoi(x)
		if err != nil {
			return r.fail("Fn::Select: index %q is not a number", x)
		}
		i = n
	default:
		return r.fail("Fn::Select: index %v is not a number", args[0])
	}
	list, ok := args[1].([]any)
	if !ok {
		return r.fail("Fn::Select: %v is not a list", args[1])
	}
	if i < 0 || i >= len(list) {
		return r.fail("Fn::Select: index %d is outside a list of %d", i, len(list))
	}
	return list[i]
}

func (r *resolver) split(in any) any {
	args, ok := in.([]any)
	if !ok || len(args) != 2 {
		return r.fail("Fn::Split takes [delimiter, string], got %v", in)
	}
	delim, ok1 := args[0].(string)
	s, ok2 := args[1].(string)
	if !ok1 || !ok2 || delim == "" {
		return r.fail("Fn::Split takes [delimiter, string], got %v", in)
	}
	var out []any
	for p := range strings.SplitSeq(s, delim) {
		out = append(out, p)
	}
	return out
}

func (r *resolver) importValue(in any) any {
	r.warn("Fn::ImportValue %v: another stack's export is not known offline; it resolves to \"\" here", in)
	return ""
}

// scalar is a resolved value as CloudFormation writes it into a string.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
