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
	// Stage is the stage served when the template declares none.
	Stage string
	// APIEndpoint is what the API's Fn::GetAtt ApiEndpoint resolves to, the
	// gateway's own address; "" gives the deployed form.
	APIEndpoint string
	// Bootstraps maps a function's logical id or deployed name
	// (FunctionName) to its bootstrap built for this machine; a key that
	// names no function of the template is warned about.
	Bootstraps map[string]Bootstrap
	// BuildCommand is what builds the bootstraps, named when one is missing.
	BuildCommand string
	// Name is what the service is called: serverless.yml's service; ""
	// is the API's Name.
	Name string
}

// Bootstrap is a function's executable built for this machine, and the key
// the gateway names the function by in its output and its log file.
type Bootstrap struct {
	Key  string
	Path string
}

// Service is what a template deploys that the gateway serves.
type Service struct {
	Name                     string
	Region                   string
	APIName                  string
	APIID                    string
	Stage                    string
	RouteSelectionExpression string
	// Throttle is the stage's DefaultRouteSettings throttling, each route's
	// unless its RouteSettings say otherwise; nil when it sets none.
	Throttle *Throttle
	// Routes by route key.
	Routes map[string]Route
	// Functions that a route, an authorizer or an event source mapping
	// uses, by Key.
	Functions map[string]Function
	// LambdaFunctions are the FunctionNames of every AWS::Lambda::Function
	// of the template, served or not, by logical id.
	LambdaFunctions map[string]string
	Tables          []Table
	// Queues and EventSourceMappings are sorted by logical id.
	Queues              []Queue
	EventSourceMappings []EventSourceMapping
	// Warnings each name a logical id and what the gateway does not do as
	// AWS would with it.
	Warnings []string
}

// Route is one route key's integration with a function.
type Route struct {
	Key      string
	Function string // a Function's Key
	// RouteResponse is set when the route sends the function's body back:
	// it has a RouteResponseSelectionExpression and a RouteResponse.
	RouteResponse bool
	Authorizer    *Authorizer
	// Throttle is the route's token bucket, from the stage's RouteSettings
	// or DefaultRouteSettings; nil when neither throttles it.
	Throttle *Throttle
}

// Authorizer is a REQUEST authorizer's function and identity sources.
type Authorizer struct {
	Function       string // a Function's Key
	IdentitySource []string
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

// Table is an AWS::DynamoDB::Table with its properties resolved.
type Table struct {
	LogicalID  string
	Properties map[string]any
}

// template is the part of a CloudFormation template that is read.
type template struct {
	// Transform is a macro CloudFormation runs before it reads the rest.
	Transform  any
	Parameters map[string]any
	Conditions map[string]any
	Resources  map[string]resource
}

// LoadFile reads the template at path, as Load does.
func LoadFile(path string, opts Options) (*Service, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	s, err := Load(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Load reads a JSON or YAML template into what the gateway serves. It
// warns about each bootstrap given for no function of the template.
func Load(data []byte, opts Options) (*Service, error) {
	data, err := templateJSON(data)
	if err != nil {
		return nil, err
	}
	var tpl template
	if err := json.Unmarshal(data, &tpl); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if tpl.Transform != nil {
		return nil, untransformed(tpl.Transform)
	}
	if opts.Region == "" {
		opts.Region = defaultRegion
		if m := statedRegion.FindSubmatch(data); m != nil {
			opts.Region = string(m[1])
		}
	}
	r, err := newResolver(tpl, opts)
	if err != nil {
		return nil, err
	}
	resolved := map[string]resource{}
	for _, id := range sortedKeys(tpl.Resources) {
		res := tpl.Resources[id]
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
	s, err := readService(r, tpl.Resources, resolved)
	if err != nil {
		return nil, err
	}
	s.Region = opts.Region
	s.Name = opts.Name
	if s.Name == "" {
		s.Name = s.APIName
	}
	s.Warnings = append(r.warnings, s.Warnings...)
	return s, nil
}

// defaultRegion places a template that states no region, unless the
// options name one.
const defaultRegion = "us-east-1"

// statedRegion finds the region an environment-specific stack hard-codes in
// its integrations' URIs and its permissions' execute-api ARNs; an
// environment-agnostic one writes ${AWS::Region} or {"Ref": "AWS::Region"}.
var statedRegion = regexp.MustCompile(`:(?:apigateway|execute-api):([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+):`)

// NothingServed returns a *NothingServedError when s has no route to
// serve, saying why from its warnings: a template that nothing will build
// the bootstraps of later is refused for it.
func NothingServed(s *Service) error {
	if len(s.Routes) > 0 {
		return nil
	}
	return &NothingServedError{API: s.APIName, Warnings: s.Warnings}
}

// NothingServedError is returned for a template whose WebSocket API has no
// route the gateway can serve; its warnings say why for each.
type NothingServedError struct {
	API      string
	Warnings []string
}

func (e *NothingServedError) Error() string {
	why := "it has no AWS::ApiGatewayV2::Route"
	if len(e.Warnings) > 0 {
		why = strings.Join(e.Warnings, "; ")
	}
	return fmt.Sprintf("nothing to serve: no route of the WebSocket API %s can be served: %s", e.API, why)
}

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
