package cloudformation

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Options place the stack, as a deployment would: the region, the local
// account and the stack's name, all that pseudo parameters and ARNs need.
type Options struct {
	// Region "" is the one the template's API Gateway ARNs name, as an
	// environment-specific CDK stack writes them, else us-east-1.
	Region, AccountID, StackName string
	// Parameters give template parameters a value over their Default.
	Parameters map[string]any
	// APIEndpoint is what the API's Fn::GetAtt ApiEndpoint resolves to, the
	// gateway's own address; "" gives the deployed form.
	APIEndpoint string
	// Bootstraps maps a function's logical id or deployed name
	// (FunctionName) to its bootstrap built for this machine; a key that
	// names no function of the template is warned about.
	Bootstraps map[string]Bootstrap
	// BuildCommand is what builds the bootstraps, named when one is missing.
	BuildCommand string
}

// Bootstrap is a function's executable built for this machine, and the key
// the gateway names the function by in its output and its log file.
type Bootstrap struct {
	Key  string
	Path string
}

// Function is an AWS::Lambda::Function with its local bootstrap.
type Function struct {
	// Key names the function in the gateway's output and its log file: its
	// Bootstrap's key, or its logical id.
	Key       string
	LogicalID string
	Name      string // FunctionName
	Env       map[string]string
	Timeout   time.Duration
	MemoryMB  int
	Tracing   string // TracingConfig.Mode: Active or PassThrough
	Bootstrap string
}

// document is the part of a CloudFormation template that is read.
type document struct {
	// Transform is a macro CloudFormation runs before it reads the rest.
	Transform  any
	Parameters map[string]any
	Conditions map[string]any
	Resources  map[string]resource
}

// Template is a template read in one stack's place: its resources with
// their intrinsic functions resolved, their names and ARNs, and the
// functions that the services' readings make served. Each service reads its
// own resources from it, and names what it cannot do as AWS would in a
// warning.
type Template struct {
	r   *resolver
	raw map[string]resource // as written
	res map[string]resource // resolved; those of a condition that does not hold are left out
	// Functions that a route, an authorizer or an event source mapping
	// uses, by Key.
	Functions map[string]Function
	// LambdaFunctions are the FunctionNames of every AWS::Lambda::Function
	// of the template, served or not, by logical id.
	LambdaFunctions map[string]string
	byARN           map[string]string // function logical id by ARN
	keyOf           map[string]string // function Key by logical id, once served
	noLocal         map[string]bool   // functions already warned about
	warnings        []string
}

// LoadFile reads the template at path, as Load does.
func LoadFile(path string, opts Options) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	t, err := Load(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Load reads a JSON or YAML template and resolves its resources'
// properties.
func Load(data []byte, opts Options) (*Template, error) {
	data, err := templateJSON(data)
	if err != nil {
		return nil, err
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if doc.Transform != nil {
		return nil, untransformed(doc.Transform)
	}
	if opts.Region == "" {
		opts.Region = defaultRegion
		if m := statedRegion.FindSubmatch(data); m != nil {
			opts.Region = string(m[1])
		}
	}
	r, err := newResolver(doc, opts)
	if err != nil {
		return nil, err
	}
	resolved := map[string]resource{}
	for _, id := range sortedKeys(doc.Resources) {
		res := doc.Resources[id]
		if res.Condition != "" {
			on, err := r.condition(res.Condition)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			if !on {
				continue
			}
		}
		props, err := r.resolve(id, res.Properties)
		if err != nil {
			return nil, err
		}
		res.Properties, _ = props.(map[string]any)
		resolved[id] = res
	}
	t := &Template{r: r, raw: doc.Resources, res: resolved, Functions: map[string]Function{}, LambdaFunctions: map[string]string{},
		byARN: map[string]string{}, keyOf: map[string]string{}, noLocal: map[string]bool{}}
	for _, id := range t.OfType("AWS::Lambda::Function") {
		t.LambdaFunctions[id] = r.name(id, t.raw[id])
		t.byARN[r.functionARN(t.LambdaFunctions[id])] = id
	}
	return t, nil
}

// Region is the region the stack is placed in: the options' or the
// template's.
func (t *Template) Region() string { return t.r.opts.Region }

// IDs are the logical ids of the resources, sorted.
func (t *Template) IDs() []string { return sortedKeys(t.res) }

// OfType are the logical ids of the resources of one type, sorted.
func (t *Template) OfType(typ string) []string {
	var ids []string
	for _, id := range sortedKeys(t.res) {
		if t.res[id].Type == typ {
			ids = append(ids, id)
		}
	}
	return ids
}

// Type is a resource's type.
func (t *Template) Type(id string) string { return t.res[id].Type }

// Properties are a resource's properties, resolved.
func (t *Template) Properties(id string) map[string]any { return t.res[id].Properties }

// Name is a resource's physical name: its name property, or the one
// CloudFormation makes up.
func (t *Template) Name(id string) string { return t.r.name(id, t.raw[id]) }

// Ref is what Ref of the resource gives.
func (t *Template) Ref(id string) string { return scalar(refValue(t.r, id, t.raw[id])) }

// PhysicalID is the id AWS assigns the resource, such as an API's ApiId.
func (t *Template) PhysicalID(id string) string { return physicalID(t.r.opts.StackName, id) }

// ARN is the ARN of a resource of a service in the stack's region and
// account.
func (t *Template) ARN(service, resource string) string { return t.r.arn(service, resource) }

// FunctionARN is the ARN of the function a name or an ARN names.
func (t *Template) FunctionARN(name string) string { return t.r.functionARN(name) }

// FunctionByARN finds the logical id of the template's function with that
// ARN.
func (t *Template) FunctionByARN(arn string) (string, bool) {
	id, ok := t.byARN[arn]
	return id, ok
}

// Warnf adds a warning about the resource id: what the gateway does not do
// as AWS would with it.
func (t *Template) Warnf(id, format string, args ...any) {
	t.warnings = append(t.warnings, id+": "+fmt.Sprintf(format, args...))
}

// Warnings are the resolver's warnings, then those the readings added, in
// the order they were added.
func (t *Template) Warnings() []string { return append(slices.Clone(t.r.warnings), t.warnings...) }

// NotEmulated warns about each resource of a type that no service reads,
// read being the types the services read, unless it has no meaning offline
// or only holds the functions' code.
func (t *Template) NotEmulated(read []string) {
	for _, id := range t.IDs() {
		if typ := t.Type(id); !slices.Contains(read, typ) && !quiet(typ) && !t.codeBucket(id) {
			t.Warnf(id, "%s is not emulated: a function that uses it reaches nothing local", typ)
		}
	}
}

// codeBucket reports whether a bucket only holds functions' code, as the
// deployment bucket that the Serverless Framework adds does.
func (t *Template) codeBucket(id string) bool {
	for _, res := range t.raw {
		if code, ok := res.Properties["Code"].(map[string]any); ok && res.Type == "AWS::Lambda::Function" {
			if ref, ok := code["S3Bucket"].(map[string]any); ok && ref["Ref"] == id {
				return true
			}
		}
	}
	return false
}

// defaultRegion places a template that states no region, unless the
// options name one.
const defaultRegion = "us-east-1"

// statedRegion finds the region an environment-specific stack hard-codes in
// its integrations' URIs and its permissions' execute-api ARNs; an
// environment-agnostic one writes ${AWS::Region} or {"Ref": "AWS::Region"}.
var statedRegion = regexp.MustCompile(`:(?:apigateway|execute-api):([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+):`)

// Quietly skipped: what has no meaning on one machine. Anything else the
// gateway does not emulate is named in a warning. The framework's
// Custom::ApiGatewayAccountRole only gives API Gateway a role to write
// access logs with (provider.logs.websocket).
var noOfflineMeaning = []string{
	"AWS::IAM::", "AWS::Logs::", "AWS::Lambda::Permission", "AWS::Lambda::Version",
	"AWS::ApiGatewayV2::Deployment", "AWS::S3::BucketPolicy", "AWS::CloudWatch::",
	"AWS::ApiGateway::Account", "Custom::ApiGatewayAccountRole",
	// CDK's version reporting, in every stack it synthesises.
	"AWS::CDK::Metadata",
}

// untransformed says what to serve instead of a template that a macro
// still has to process, such as AWS SAM's.
func untransformed(transform any) error {
	return fmt.Errorf("the template declares Transform %s, which CloudFormation applies when it deploys; "+
		"the gateway serves what the transform makes: AWS::ApiGatewayV2 and AWS::Lambda::Function resources. "+
		"Serve the processed template instead: for a deployed stack, "+
		"`aws cloudformation get-template --stack-name <stack> --template-stage Processed --query TemplateBody`; "+
		"`sam build` and `sam package` still write the untransformed template", scalar(transform))
}

func quiet(typ string) bool {
	return slices.ContainsFunc(noOfflineMeaning, func(p string) bool { return strings.HasPrefix(typ, p) })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
