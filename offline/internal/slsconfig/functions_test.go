package slsconfig

import (
	"reflect"
	"testing"
	"time"
)

func TestFunctionSettings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want *Function
	}{{
		name: "framework and Lambda defaults",
		yaml: `
service: svc
functions:
  f:
    handler: bootstrap
`,
		want: &Function{Key: "f", Name: "svc-dev-f", Handler: "bootstrap", Architecture: "x86_64",
			MemoryMB: 1024, Timeout: 6 * time.Second, Environment: map[string]string{}, Tracing: "PassThrough"},
	}, {
		name: "provider settings",
		yaml: `
service: svc
provider:
  runtime: provided.al2023
  architecture: arm64
  memorySize: 256
  timeout: 20
  tracing:
    lambda: true
package:
  artifact: dist/all.zip
functions:
  f:
    handler: bootstrap
`,
		want: &Function{Key: "f", Name: "svc-dev-f", Handler: "bootstrap", Artifact: "dist/all.zip",
			Runtime: "provided.al2023", Architecture: "arm64", MemoryMB: 256, Timeout: 20 * time.Second,
			Environment: map[string]string{}, Tracing: "Active"},
	}, {
		name: "function settings win",
		yaml: `
service: svc
provider:
  runtime: provided.al2
  architecture: arm64
  memorySize: 256
  timeout: 20
  tracing:
    lambda: Active
  environment:
    SHARED: provider
    LEVEL: info
package:
  artifact: dist/all.zip
functions:
  f:
    name: custom-name
    handler: main
    runtime: provided.al2023
    architecture: x86_64
    memorySize: 512
    timeout: '3'
    tracing: PassThrough
    package:
      artifact: bin/f.zip
    environment:
      LEVEL: debug
      PORT: 8080
      ON: true
      RATIO: 0.5
      EMPTY: ''
      UNSET:
`,
		want: &Function{Key: "f", Name: "custom-name", Handler: "main", Artifact: "bin/f.zip",
			Runtime: "provided.al2023", Architecture: "x86_64", MemoryMB: 512, Timeout: 3 * time.Second,
			Environment: map[string]string{"SHARED": "provider", "LEVEL": "debug", "PORT": "8080",
				"ON": "true", "RATIO": "0.5", "EMPTY": ""}, Tracing: "PassThrough"},
	}, {
		name: "function tracing",
		yaml: `
service: svc
functions:
  f:
    handler: bootstrap
    tracing: Active
`,
		want: &Function{Key: "f", Name: "svc-dev-f", Handler: "bootstrap", Architecture: "x86_64",
			MemoryMB: 1024, Timeout: 6 * time.Second, Environment: map[string]string{}, Tracing: "Active"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.yaml, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Functions["f"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestEnvironmentExpressions(t *testing.T) {
	c, err := load(t, `
service: svc
provider:
  environment:
    TABLE: !Ref Connections
    NAMED: {Ref: Named}
    ARN: !GetAtt Connections.Arn
functions:
  f:
    handler: bootstrap
resources:
  Resources:
    Connections:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-${sls:stage}-connections
    Named:
      Type: AWS::SQS::Queue
      Properties:
        TableName: not-a-table
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"TABLE": "svc-dev-connections",
		"NAMED": `{"Ref":"Named"}`,
		"ARN":   `{"Fn::GetAtt":["Connections","Arn"]}`,
	}
	if got := c.Functions["f"].Environment; !reflect.DeepEqual(got, want) {
		t.Errorf("Environment = %q, want %q", got, want)
	}
	warnings := []string{
		`serverless.yml:6: provider.environment.NAMED: CloudFormation expression {"Ref":"Named"} cannot be evaluated locally; left as written`,
		`serverless.yml:7: provider.environment.ARN: CloudFormation expression {"Fn::GetAtt":["Connections","Arn"]} cannot be evaluated locally; left as written`,
	}
	if !reflect.DeepEqual(c.Warnings, warnings) {
		t.Errorf("Warnings = %q\nwant %q", c.Warnings, warnings)
	}
}
