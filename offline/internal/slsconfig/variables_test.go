package slsconfig

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// withValue puts expr as the value of provider.environment.V, on line 6.
func withValue(expr string) string {
	return fmt.Sprintf(`service: svc
provider:
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, 'eu-central-1'}
  environment:
    V: %s
functions:
  f:
    handler: bootstrap
custom:
  dev:
    url: http://localhost
  prod:
    url: https://example.com
  list: [zero, one]
  port: 8080
  on: true
  name: ${self:service}-api
  chain: ${self:custom.name}
  map: {K: v}
`, expr)
}

func TestVariables(t *testing.T) {
	vars := map[string]string{"NAME": "from-env", "EMPTY": ""}
	tests := []struct {
		expr string
		opts Options
		want string
	}{
		{expr: "${sls:stage}", want: "dev"},
		{expr: "${sls:stage}", opts: Options{Stage: "prod"}, want: "prod"},
		{expr: "${opt:stage, 'qa'}", want: "qa"},
		{expr: "${opt:stage, 'qa'}", opts: Options{Stage: "prod"}, want: "prod"},
		{expr: "${opt:region, 'x'}", opts: Options{Region: "us-west-2"}, want: "us-west-2"},
		{expr: "${opt:verbose, 'no option but stage and region'}", opts: Options{Stage: "prod"}, want: "no option but stage and region"},
		{expr: "${aws:region}", want: "eu-central-1"},
		{expr: "${aws:region}", opts: Options{Region: "us-west-2"}, want: "us-west-2"},
		{expr: "${self:service}", want: "svc"},
		{expr: "${self:provider.stage}", want: "dev"},
		{expr: "${self:custom.dev.url}", want: "http://localhost"},
		{expr: "${self:custom.list.1}", want: "one"},
		{expr: "${self:custom.chain}", want: "svc-api"},
		{expr: "${self:custom.port}", want: "8080"},
		{expr: "${env:NAME}", want: "from-env"},
		{expr: "${env:EMPTY, 'unused'}", want: ""},
		{expr: "${env:MISSING, 'fallback'}", want: "fallback"},
		{expr: `${env:MISSING, "double \"quoted\""}`, want: `double "quoted"`},
		{expr: "${env:MISSING, 42}", want: "42"},
		{expr: "${env:MISSING, 1.5}", want: "1.5"},
		{expr: "${env:MISSING, true}", want: "true"},
		{expr: "${env:MISSING, env:NAME}", want: "from-env"},
		{expr: "${env:MISSING, self:custom.nope, self:custom.dev.url}", want: "http://localhost"},
		{expr: "${self:custom.${sls:stage}.url}", want: "http://localhost"},
		{expr: "${self:custom.${sls:stage}.url}", opts: Options{Stage: "prod"}, want: "https://example.com"},
		{expr: "${self:custom.${env:MISSING, 'prod'}.url}", want: "https://example.com"},
		{expr: "${self:service}-${sls:stage}", want: "svc-dev"},
		{expr: "'port ${self:custom.port} on ${self:custom.on}'", want: "port 8080 on true"},
		{expr: "${ ssm:/ignored }", want: "${ ssm:/ignored }"},
		{expr: "${ssm:/db/url, 'local-db'}", want: "local-db"},
		{expr: "${aws:accountId, '000000000000'}", want: "000000000000"},
		{expr: "arn:${AWS::Partition}:s3:::${self:service}", want: "arn:${AWS::Partition}:s3:::svc"},
		{expr: "${AWS::Region}", want: "${AWS::Region}"},
		{expr: "${Token}", want: "${Token}"},
		{expr: "$request.body.action", want: "$request.body.action"},
		{expr: "'cost: $5 {x}'", want: "cost: $5 {x}"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			tt.opts.Env = env(vars)
			c, err := load(t, withValue(tt.expr), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Functions["f"].Environment["V"]; got != tt.want {
				t.Errorf("V = %q, want %q", got, tt.want)
			}
			if len(c.Warnings) != 0 {
				t.Errorf("Warnings = %q", c.Warnings)
			}
		})
	}
}

func TestVariableYieldingMapping(t *testing.T) {
	c, err := load(t, `service: svc
provider:
  environment: ${self:custom.env}
custom:
  env:
    STAGE: ${sls:stage}
  items: [a, b]
  queue:
    QueueName: ${self:service}-queue
    Size: 10
functions:
  f:
    handler: bootstrap
resources:
  Resources:
    Queue:
      Type: AWS::SQS::Queue
      Properties: ${self:custom.queue}
    Other:
      Properties:
        Items: ${self:custom.items}
        Size: ${self:custom.queue.Size}
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Functions["f"].Environment; !reflect.DeepEqual(got, map[string]string{"STAGE": "dev"}) {
		t.Errorf("Environment = %q", got)
	}
	want := map[string]any{
		"Queue": map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"QueueName": "svc-queue", "Size": 10}},
		"Other": map[string]any{"Properties": map[string]any{"Items": []any{"a", "b"}, "Size": 10}},
	}
	if !reflect.DeepEqual(c.Resources, want) {
		t.Errorf("Resources = %#v\nwant %#v", c.Resources, want)
	}
}

func TestUnresolvableVariables(t *testing.T) {
	tests := []struct {
		expr    string
		want    string
		warning string
	}{
		{expr: "${ssm:/db/url}", want: "${ssm:/db/url}", warning: "${ssm:/db/url}"},
		{expr: "${ssm(raw):/db/url}", want: "${ssm(raw):/db/url}", warning: "${ssm(raw):/db/url}"},
		{expr: "${cf:stack.Output}", want: "${cf:stack.Output}", warning: "${cf:stack.Output}"},
		{expr: "${aws:accountId}", want: "${aws:accountId}", warning: "${aws:accountId}"},
		{expr: "${s3:bucket/key}", want: "${s3:bucket/key}", warning: "${s3:bucket/key}"},
		{expr: "${file(./config.${sls:stage}.yml):url}", want: "${file(./config.${sls:stage}.yml):url}", warning: "${file(./config.${sls:stage}.yml):url}"},
		{expr: "${sls:instanceId}", want: "${sls:instanceId}", warning: "${sls:instanceId}"},
		{expr: "${whatever:x}", want: "${whatever:x}", warning: "${whatever:x}"},
		{expr: "${env:MISSING, ssm:/a}", want: "${env:MISSING, ssm:/a}", warning: "${env:MISSING, ssm:/a}"},
		{expr: "${self:custom.${ssm:/k}}", want: "${self:custom.${ssm:/k}}", warning: "${self:custom.${ssm:/k}}"},
		{expr: "db-${ssm:/a}-${sls:stage}-${cf:b.c}", want: "db-${ssm:/a}-dev-${cf:b.c}", warning: "${ssm:/a}, ${cf:b.c}"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			c, err := load(t, withValue(tt.expr), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Functions["f"].Environment["V"]; got != tt.want {
				t.Errorf("V = %q, want %q", got, tt.want)
			}
			warnings := []string{"serverless.yml:6: provider.environment.V: " + tt.warning + " cannot be resolved locally; left as written"}
			if !reflect.DeepEqual(c.Warnings, warnings) {
				t.Errorf("Warnings = %q\nwant %q", c.Warnings, warnings)
			}
		})
	}
}

// A value read through ${self:...} is resolved, and warned about, once: where
// it is written.
func TestUnresolvableWarnedOnce(t *testing.T) {
	c, err := load(t, `service: svc
custom:
  secret: ${ssm:/secret}
provider:
  environment:
    A: ${self:custom.secret}
    B: ${self:custom.secret}
unused: ${ssm:/never/read}
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"serverless.yml:3: custom.secret: ${ssm:/secret} cannot be resolved locally; left as written"}
	if !reflect.DeepEqual(c.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", c.Warnings, want)
	}
}

func TestVariableErrors(t *testing.T) {
	deep := strings.Repeat("${self:", 40) + "x" + strings.Repeat("}", 40)
	tests := []struct {
		expr string
		want string
	}{
		{expr: "${self:custom.nope}", want: "${self:custom.nope} has no value and no fallback"},
		{expr: "${env:MISSING}", want: "${env:MISSING} has no value and no fallback"},
		{expr: "${opt:stage}", want: "${opt:stage} has no value and no fallback"},
		{expr: "${self:custom.map}-x", want: "${self:custom.map} is a mapping, which cannot be part of a longer string"},
		{expr: "${self:custom.list} x", want: "${self:custom.list} is a list, which cannot be part of a longer string"},
		{expr: "${env:MISSING, null}-x", want: "${env:MISSING, null} is nothing, which cannot be part of a longer string"},
		{expr: "${self:provider.environment.V}", want: "circular reference: \"${self:provider.environment.V}\" needs its own value"},
		{expr: "${self:provider.environment}", want: "circular reference: \"${self:provider.environment}\" needs its own value"},
		{expr: "${self:service", want: `invalid variable in "${self:service": missing closing }`},
		{expr: "${opt:stage, dev}", want: `invalid variable in "${opt:stage, dev}": invalid fallback dev: quote text, as in 'dev'`},
		{expr: "${opt:stage, ${self:custom.x}}", want: `invalid variable in "${opt:stage, ${self:custom.x}}": a fallback is written without ${ }, as in ${opt:stage, self:custom.stage}`},
		{expr: "${opt:stage, 'dev}", want: `invalid variable in "${opt:stage, 'dev}": missing closing '`},
		{expr: "${self:a ${b}}", want: `invalid variable in "${self:a ${b}}": a variable may hold only variables`},
		{expr: "${file(x:a}", want: `invalid variable in "${file(x:a}": missing closing )`},
		{expr: "${self:a, }", want: `invalid variable in "${self:a, }": missing source`},
		{expr: deep, want: fmt.Sprintf("invalid variable in %q: variables nested more than 32 deep", deep)},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			c, err := load(t, withValue(tt.expr), Options{})
			if err == nil {
				t.Fatalf("no error; V = %q", c.Functions["f"].Environment["V"])
			}
			want := "serverless.yml:6: provider.environment.V: " + tt.want
			if err.Error() != want {
				t.Errorf("error\n got %s\nwant %s", err, want)
			}
		})
	}
}

func TestCircularReferences(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{{
		name: "two values",
		yaml: "service: ${self:custom.a}\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n",
		want: `serverless.yml:3: custom.a: circular reference: "${self:custom.b}" needs its own value`,
	}, {
		name: "value inside what it refers to",
		yaml: "service: svc\ncustom:\n  all:\n    me: ${self:custom.all}\nprovider:\n  environment:\n    V: ${self:custom.all.me}\n",
		want: `serverless.yml:4: custom.all.me: circular reference: "${self:custom.all}" needs its own value`,
	}, {
		name: "stage from itself",
		yaml: "service: svc\nprovider:\n  stage: ${sls:stage}\n",
		want: `serverless.yml:3: provider.stage: circular reference: "${sls:stage}" needs its own value`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.yaml, Options{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

// YAML aliases and variables can each repeat what they refer to, doubling
// or worse at each step; the loader stops them before memory runs out.
func TestExpansionBounded(t *testing.T) {
	var variables strings.Builder
	variables.WriteString("service: svc\ncustom:\n  v0: xxxxxxxxxxxxxxxx\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&variables, "  v%d: ${self:custom.v%d}${self:custom.v%d}\n", i, i-1, i-1)
	}
	variables.WriteString("provider:\n  environment:\n    V: ${self:custom.v30}\n")

	var aliases strings.Builder
	aliases.WriteString("service: svc\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&aliases, "x%d: &x%d [*x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	aliases.WriteString("resources:\n  Resources:\n    R: *x9\n")

	for name, yaml := range map[string]string{"variables": variables.String(), "aliases": aliases.String()} {
		t.Run(name, func(t *testing.T) {
			_, err := load(t, yaml, Options{})
			want := "serverless.yml: the configuration expands to more than 16 MiB; do aliases or variables repeat each other?"
			if err == nil || err.Error() != want {
				t.Errorf("error = %v, want %s", err, want)
			}
		})
	}
}
