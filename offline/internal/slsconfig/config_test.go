package slsconfig

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// load parses yaml as serverless.yml with an empty environment unless
// opts gives one, so that the tests do not depend on the machine's.
func load(t *testing.T, yaml string, opts Options) (*Config, error) {
	t.Helper()
	if opts.Env == nil {
		opts.Env = env(nil)
	}
	return parse("serverless.yml", []byte(yaml), opts)
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestLoadProjectFile(t *testing.T) {
	const file = "../../../serverless.yml"
	tests := []struct {
		name  string
		opts  Options
		stage string
		reg   string
	}{
		{name: "defaults", stage: "dev", reg: "ap-northeast-1"},
		{name: "options", opts: Options{Stage: "prod", Region: "eu-west-1"}, stage: "prod", reg: "eu-west-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Env = env(nil)
			c, err := Load(file, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if c.Service != "go-websocket-api" || c.Stage != tt.stage || c.Region != tt.reg {
				t.Errorf("service, stage, region = %q, %q, %q", c.Service, c.Stage, c.Region)
			}
			if c.RouteSelectionExpression != "$request.body.action" {
				t.Errorf("RouteSelectionExpression = %q", c.RouteSelectionExpression)
			}
			// The file grows with the project: check what is there today, not
			// that nothing else is.
			for _, want := range []Route{
				{Key: "$connect", Function: "onconnect", Authorizer: &Authorizer{
					Function: "authorizer", IdentitySource: []string{"route.request.querystring.token"},
				}},
				{Key: "$disconnect", Function: "ondisconnect"},
				{Key: "hello", Function: "hello"},
				{Key: "send", Function: "send"},
			} {
				if !slices.ContainsFunc(c.Routes, func(r Route) bool { return reflect.DeepEqual(r, want) }) {
					t.Errorf("Routes = %+v, want one %+v", c.Routes, want)
				}
			}
			for _, key := range []string{"onconnect", "ondisconnect", "hello"} {
				want := &Function{
					Key:          key,
					Name:         "go-websocket-api-" + tt.stage + "-" + key,
					Handler:      "bootstrap",
					Artifact:     filepath.Join("../../../bin", key+".zip"),
					Runtime:      "provided.al2023",
					Architecture: "arm64",
					MemoryMB:     128,
					Timeout:      10 * time.Second,
					Environment: map[string]string{
						"LOG_LEVEL":         "info",
						"CONNECTIONS_TABLE": "go-websocket-api-" + tt.stage + "-connections",
					},
					Tracing: "Active",
				}
				if got := c.Functions[key]; !reflect.DeepEqual(got, want) {
					t.Errorf("Functions[%q] = %+v, want %+v", key, got, want)
				}
			}
			if len(c.Warnings) != 0 {
				t.Errorf("Warnings = %q", c.Warnings)
			}
			// The role's statements come from custom through ${self:...}; the
			// CloudFormation intrinsics and ${sls:stage} inside them resolve as deployed.
			hello := c.Resources["HelloRole"].(map[string]any)["Properties"].(map[string]any)
			statements := hello["Policies"].([]any)[0].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)
			if len(statements) != 3 {
				t.Fatalf("HelloRole has %d statements, want 3", len(statements))
			}
			join := statements[2].(map[string]any)["Resource"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
			if got, want := join[len(join)-1], "/"+tt.stage+"/POST/@connections/*"; got != want {
				t.Errorf("last part of the ManageConnections resource = %q, want %q", got, want)
			}
			trust := hello["AssumeRolePolicyDocument"].(map[string]any)
			if trust["Version"] != "2012-10-17" {
				t.Errorf("trust policy Version = %#v, want the text 2012-10-17", trust["Version"])
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "serverless.yml"), Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := load(t, "service: svc\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{Service: "svc", Stage: "dev", Region: "us-east-1",
		RouteSelectionExpression: "$request.body.action", Functions: map[string]*Function{}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		opts Options
		want string
	}{{
		name: "malformed YAML",
		yaml: "service: svc\nprovider:\n  name: aws\n   stage: dev\n",
		want: "serverless.yml:4: mapping values are not allowed in this context",
	}, {
		name: "empty file",
		yaml: "# nothing\n",
		want: "serverless.yml: the file holds no configuration",
	}, {
		name: "top level a list",
		yaml: "- a\n",
		want: "serverless.yml:1: want a mapping at the top level, got a list",
	}, {
		name: "no service",
		yaml: "provider:\n  name: aws\n",
		want: "serverless.yml:1: service: want the service name",
	}, {
		name: "timeout not a number",
		yaml: "service: svc\nfunctions:\n  hello:\n    handler: bootstrap\n    timeout: ten\n",
		want: `serverless.yml:5: functions.hello.timeout: want a number of seconds, got "ten"`,
	}, {
		name: "timeout not whole",
		yaml: "service: svc\nprovider:\n  timeout: 2.5\n",
		want: `serverless.yml:3: provider.timeout: want a number of seconds, got 2.5`,
	}, {
		name: "timeout beyond Lambda's limit",
		yaml: "service: svc\nprovider:\n  timeout: 901\n",
		want: `serverless.yml:3: provider.timeout: want 1 to 900 seconds, got 901`,
	}, {
		name: "memory below Lambda's limit",
		yaml: "service: svc\nprovider:\n  memorySize: '64'\n",
		want: `serverless.yml:3: provider.memorySize: want 128 to 10240 megabytes, got 64`,
	}, {
		name: "memory from a variable",
		yaml: "service: svc\ncustom:\n  mem: lots\nfunctions:\n  hello:\n    handler: bootstrap\n    memorySize: ${self:custom.mem}\n",
		want: `serverless.yml:7: functions.hello.memorySize: want a number of megabytes, got "lots"`,
	}, {
		name: "architecture",
		yaml: "service: svc\nprovider:\n  architecture: arm\n",
		want: `serverless.yml:3: provider.architecture: want arm64 or x86_64, got "arm"`,
	}, {
		name: "tracing misspelt",
		yaml: "service: svc\nprovider:\n  tracing:\n    lambda: active\n",
		want: `serverless.yml:4: provider.tracing.lambda: want true, false, Active or PassThrough, got "active"`,
	}, {
		name: "tracing a mapping",
		yaml: "service: svc\nfunctions:\n  hello:\n    handler: bootstrap\n    tracing: {lambda: true}\n",
		want: `serverless.yml:5: functions.hello.tracing: want true, false, Active or PassThrough, got a mapping`,
	}, {
		name: "functions a list",
		yaml: "service: svc\nfunctions: []\n",
		want: "serverless.yml:2: functions: want a mapping of function keys to functions, got a list",
	}, {
		name: "function a string",
		yaml: "service: svc\nfunctions:\n  hello: bootstrap\n",
		want: `serverless.yml:3: functions.hello: want a mapping, got "bootstrap"`,
	}, {
		name: "no handler",
		yaml: "service: svc\nfunctions:\n  hello:\n    timeout: 3\n",
		want: "serverless.yml:4: functions.hello.handler: want a handler",
	}, {
		name: "handler a list",
		yaml: "service: svc\nfunctions:\n  hello:\n    handler: [a]\n",
		want: "serverless.yml:4: functions.hello.handler: want text, got a list",
	}, {
		name: "events a mapping",
		yaml: "service: svc\nfunctions:\n  hello:\n    handler: bootstrap\n    events:\n      websocket: hello\n",
		want: "serverless.yml:6: functions.hello.events: want a list of events, got a mapping",
	}, {
		name: "environment a list",
		yaml: "service: svc\nprovider:\n  environment: [A]\n",
		want: "serverless.yml:3: provider.environment: want a mapping, got a list",
	}, {
		name: "environment value a list",
		yaml: "service: svc\nprovider:\n  environment:\n    A: [1]\n",
		want: "serverless.yml:4: provider.environment.A: want text, got a list",
	}, {
		name: "websocket event without route",
		yaml: "service: svc\nfunctions:\n  hello:\n    handler: bootstrap\n    events:\n      - websocket:\n          routeResponseSelectionExpression: $default\n",
		want: "serverless.yml:7: functions.hello.events[0].websocket.route: want a route",
	}, {
		name: "empty websocket event",
		yaml: "service: svc\nfunctions:\n  hello:\n    handler: bootstrap\n    events:\n      - websocket:\n",
		want: "serverless.yml:6: functions.hello.events[0].websocket: want a route",
	}, {
		name: "route a number",
		yaml: "service: svc\nfunctions:\n  hello:\n    handler: bootstrap\n    events:\n      - websocket: 42\n",
		want: "serverless.yml:6: functions.hello.events[0].websocket: want a route, got 42",
	}, {
		name: "same route twice",
		yaml: "service: svc\nfunctions:\n  a:\n    handler: bootstrap\n    events:\n      - websocket: hello\n  b:\n    handler: bootstrap\n    events:\n      - websocket:\n          route: hello\n",
		want: `serverless.yml:11: functions.b.events[0].websocket: route "hello" is already declared on line 6`,
	}, {
		name: "route response other than $default",
		yaml: "service: svc\nfunctions:\n  a:\n    handler: bootstrap\n    events:\n      - websocket:\n          route: hello\n          routeResponseSelectionExpression: $request.body\n",
		want: `serverless.yml:8: functions.a.events[0].websocket.routeResponseSelectionExpression: want $default, the only value WebSocket APIs take, got "$request.body"`,
	}, {
		name: "authorizer naming no function",
		yaml: "service: svc\nfunctions:\n  a:\n    handler: bootstrap\n    events:\n      - websocket:\n          route: $connect\n          authorizer: nosuch\n",
		want: `serverless.yml:8: functions.a.events[0].websocket.authorizer: authorizer "nosuch" names no function of this service`,
	}, {
		name: "authorizer off $connect",
		yaml: "service: svc\nfunctions:\n  a:\n    handler: bootstrap\n    events:\n      - websocket:\n          route: hello\n          authorizer: a\n",
		want: `serverless.yml:8: functions.a.events[0].websocket.authorizer: only the $connect route can have an authorizer, not "hello"`,
	}, {
		name: "authorizer without name",
		yaml: "service: svc\nfunctions:\n  a:\n    handler: bootstrap\n    events:\n      - websocket:\n          route: $connect\n          authorizer:\n            identitySource: [route.request.header.Auth]\n",
		want: "serverless.yml:9: functions.a.events[0].websocket.authorizer: want a name (a function key) or an arn",
	}, {
		name: "identity source not text",
		yaml: "service: svc\nfunctions:\n  a:\n    handler: bootstrap\n    events:\n      - websocket:\n          route: $connect\n          authorizer:\n            name: a\n            identitySource:\n              - {a: b}\n",
		want: "serverless.yml:11: functions.a.events[0].websocket.authorizer.identitySource[0]: want text, got a mapping",
	}, {
		name: "resources a list",
		yaml: "service: svc\nresources:\n  Resources: [a]\n",
		want: "serverless.yml:3: resources.Resources: want a mapping, got a list",
	}, {
		name: "duplicate key",
		yaml: "service: svc\nprovider:\n  timeout: 3\n  timeout: 4\n",
		want: `serverless.yml:4: key "timeout" appears twice in this mapping`,
	}, {
		name: "unknown tag",
		yaml: "service: svc\nresources:\n  Resources:\n    A: !Reff B\n",
		want: "serverless.yml:4: unknown tag !Reff",
	}, {
		name: "anchor containing itself",
		yaml: "service: svc\ncustom: &loop\n  again: *loop\n",
		want: "serverless.yml:2: anchor &loop contains an alias to itself",
	}, {
		name: "stage option",
		yaml: "service: svc\n",
		opts: Options{Stage: "my_stage"},
		want: `serverless.yml: stage "my_stage": a stage name holds only ASCII letters, digits and hyphens`,
	}, {
		name: "stage a list",
		yaml: "service: svc\nprovider:\n  stage: [dev]\n",
		want: "serverless.yml:3: provider.stage: want a string, got a list",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.yaml, tt.opts)
			if err == nil {
				t.Fatalf("no error; config %+v", c)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}
