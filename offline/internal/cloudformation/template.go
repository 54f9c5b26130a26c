package cloudformation

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Options place the stack, as a deployment would: the region, the local
// account and the stack's name, all that pseudo parameters and ARNs need.
type Options struct {
	Region, AccountID, StackName string
	// Parameters give template parameters a value over their Default.
	Parameters map[string]any
	// Stage is the stage served when the template declares none.
	Stage string
	// APIEndpoint is what the API's Fn::GetAtt ApiEndpoint resolves to, the
	// gateway's own address; "" gives the deployed form.
	APIEndpoint string
	// Bootstraps maps a function's deployed name (FunctionName) to its
	// bootstrap built for this machine.
	Bootstraps map[string]string
	// BuildCommand is what builds the bootstraps, named when one is missing.
	BuildCommand string
}

// Service is what a template deploys that the gateway serves.
type Service struct {
	APIName                  string
	APIID                    string
	Stage                    string
	RouteSelectionExpression string
	// Routes by route key.
	Routes map[string]Route
	// Functions that a route, an authorizer or an event source mapping
	// uses, by Key.
	Functions map[string]Function
	Tables    []Table
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
}

// Authorizer is a REQUEST authorizer's function and identity sources.
type Authorizer struct {
	Function       string // a Function's Key
	IdentitySource []string
}

// Function is an AWS::Lambda::Function with its local bootstrap.
type Function struct {
	// Key names the function in the gateway's output and its log file: its
	// bootstrap's directory, or its logical id.
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
	Parameters map[string]any
	Conditions map[string]any
	Resources  map[string]resource
}

// LoadFile reads the template at path; see Load.
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

// Load reads a JSON template into what the gateway serves.
func Load(data []byte, opts Options) (*Service, error) {
	var tpl template
	if err := json.Unmarshal(data, &tpl); err != nil {
		return nil, fmt.Errorf("template: %w", err)
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
	s, err := serve(r, tpl.Resources, resolved)
	if err != nil {
		return nil, err
	}
	s.Warnings = append(r.warnings, s.Warnings...)
	return s, nil
}

// Quietly skipped: what has no meaning on one machine. Anything else the
// gateway does not emulate is named in a warning. The framework's
// Custom::ApiGatewayAccountRole only gives API Gateway a role to write
// access logs with (provider.logs.websocket).
var noOfflineMeaning = []string{
	"AWS::IAM::", "AWS::Logs::", "AWS::Lambda::Permission", "AWS::Lambda::Version",
	"AWS::ApiGatewayV2::Deployment", "AWS::S3::BucketPolicy", "AWS::CloudWatch::",
	"AWS::ApiGateway::Account", "Custom::ApiGatewayAccountRole",
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
