package stackcheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// root is the project root, where serverless.yml lives.
const root = "../.."

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

type template struct {
	Resources map[string]resource `json:"Resources"`
}

// packaged runs `serverless package --stage prod` once for every test (the
// project's plugin builds the functions first) and returns the template and
// the directory holding it.
func packaged(t *testing.T) (template, string) {
	t.Helper()
	return packagedWith(t, "")
}

// packagedWith is packaged with `--param tracing=<tracing>` ("" for none,
// the default backend): each variant is packaged once, into its own
// directory.
func packagedWith(t *testing.T, tracing string) (template, string) {
	t.Helper()
	pkgMu.Lock()
	p, ok := pkgs[tracing]
	if !ok {
		p = &pkg{}
		pkgs[tracing] = p
	}
	pkgMu.Unlock()
	p.once.Do(func() { p.tpl, p.dir, p.err = packageStack(tracing) })
	if p.err != nil {
		t.Fatal(p.err)
	}
	return p.tpl, p.dir
}

type pkg struct {
	once sync.Once
	tpl  template
	dir  string
	err  error
}

var (
	pkgMu sync.Mutex
	pkgs  = map[string]*pkg{}
)

func packageStack(tracing string) (template, string, error) {
	dir, err := os.MkdirTemp("", "stackcheck-")
	if err != nil {
		return template{}, "", err
	}
	args := []string{"package", "--stage", "prod", "--package", dir}
	if tracing != "" {
		args = append(args, "--param", "tracing="+tracing)
	}
	out, err := serverless(args...)
	if err != nil {
		return template{}, dir, fmt.Errorf("serverless package: %w\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "cloudformation-template-update-stack.json"))
	if err != nil {
		return template{}, dir, err
	}
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		return template{}, dir, fmt.Errorf("the packaged template: %w", err)
	}
	return tpl, dir, nil
}

// serverless runs the pinned CLI (npx --no-install serverless args…) in the
// project root and returns what it printed.
func serverless(args ...string) ([]byte, error) {
	cmd := exec.Command("npx", append([]string{"--no-install", "serverless"}, args...)...)
	cmd.Dir = root
	// Packaging reads no AWS account; make sure a developer's credentials are not used.
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=", "SLS_TELEMETRY_DISABLED=1")
	return cmd.CombinedOutput()
}

// TestMain removes the packaged templates' directories after every test.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range pkgs {
		if p.dir != "" {
			_ = os.RemoveAll(p.dir)
		}
	}
	os.Exit(code)
}

func TestTemplate(t *testing.T) {
	tpl, dir := packaged(t)

	t.Run("websocket API", func(t *testing.T) {
		api := tpl.Resources["WebsocketsApi"]
		if api.Type != "AWS::ApiGatewayV2::Api" || api.Properties["ProtocolType"] != "WEBSOCKET" ||
			api.Properties["RouteSelectionExpression"] != "$request.body.action" {
			t.Errorf("WebsocketsApi = %+v, want a WEBSOCKET API selecting on $request.body.action", api)
		}
	})

	t.Run("routes", func(t *testing.T) {
		want := expected.routes()
		got := map[string]string{}
		for _, r := range tpl.Resources {
			if r.Type != "AWS::ApiGatewayV2::Route" {
				continue
			}
			key, _ := r.Properties["RouteKey"].(string)
			target, _ := json.Marshal(r.Properties["Target"])
			got[key] = string(target)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
			t.Errorf("routes = %v, want exactly those %s declares: %v", slices.Sorted(maps.Keys(got)), expectedFile, slices.Sorted(maps.Keys(want)))
		}
		for key, fn := range want {
			integ := fn + "WebsocketsIntegration"
			if !strings.Contains(got[key], `"Ref":"`+integ+`"`) {
				t.Errorf("route %s targets %s, want %s", key, got[key], integ)
				continue
			}
			uri, _ := json.Marshal(tpl.Resources[integ].Properties["IntegrationUri"])
			if !strings.Contains(string(uri), fn+"LambdaFunction") {
				t.Errorf("%s invokes %s, want %sLambdaFunction", integ, uri, fn)
			}
		}
	})

	t.Run("functions", func(t *testing.T) {
		for _, f := range expected.Functions {
			fn := f.logicalID()
			p := tpl.Resources[fn+"LambdaFunction"].Properties
			tracing, _ := p["TracingConfig"].(map[string]any)
			if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" ||
				fmt.Sprint(p["Architectures"]) != "[arm64]" || tracing["Mode"] != "Active" {
				t.Errorf("%s: runtime %v handler %v architectures %v tracing %v, want provided.al2023 bootstrap [arm64] Active",
					fn, p["Runtime"], p["Handler"], p["Architectures"], tracing)
			}
			role, _ := json.Marshal(p["Role"])
			if string(role) != `{"Fn::GetAtt":["`+fn+`Role","Arn"]}` {
				t.Errorf("%s runs as %s, want its own %sRole", fn, role, fn)
			}
			if days := tpl.Resources[fn+"LogGroup"].Properties["RetentionInDays"]; days == nil {
				t.Errorf("%s's log group keeps logs forever: set logRetentionInDays", fn)
			}
			// API Gateway stops waiting for an integration after 29 s, counted
			// from before the function's own timeout starts. The fan-out
			// worker is invoked by SQS, not API Gateway.
			if timeout, _ := p["Timeout"].(float64); !expected.byQueue(fn) && (timeout <= 0 || timeout >= 29) {
				t.Errorf("%s: Timeout %v, want under API Gateway's 29-second integration limit", fn, p["Timeout"])
			}
		}
		for name, r := range tpl.Resources {
			if r.Type == "AWS::Lambda::Version" {
				t.Errorf("%s: a Lambda version nothing uses, left by every deploy: set versionFunctions: false", name)
			}
		}
	})

	t.Run("authorizer on $connect", func(t *testing.T) {
		var auth resource
		for _, r := range tpl.Resources {
			if r.Type == "AWS::ApiGatewayV2::Authorizer" {
				auth = r
			}
		}
		uri, _ := json.Marshal(auth.Properties["AuthorizerUri"])
		if auth.Properties["AuthorizerType"] != "REQUEST" || fmt.Sprint(auth.Properties["IdentitySource"]) != "[route.request.querystring.token]" ||
			!strings.Contains(string(uri), "AuthorizerLambdaFunction") {
			t.Errorf("authorizer = %+v, want a REQUEST authorizer on the token query parameter, run by the authorizer function", auth.Properties)
		}
		for _, r := range tpl.Resources {
			if r.Type != "AWS::ApiGatewayV2::Route" {
				continue
			}
			want := "NONE"
			if r.Properties["RouteKey"] == "$connect" {
				want = "CUSTOM"
			}
			if r.Properties["AuthorizationType"] != want {
				t.Errorf("route %v: AuthorizationType %v, want %s", r.Properties["RouteKey"], r.Properties["AuthorizationType"], want)
			}
		}
		env, _ := json.Marshal(tpl.Resources["AuthorizerLambdaFunction"].Properties["Environment"])
		if !strings.Contains(string(env), `"TOKEN_SECRET_PARAMETER":"/go-websocket-api/prod/token-secret"`) || strings.Contains(string(env), `"TOKEN_SECRET"`) {
			t.Errorf("authorizer environment = %s, want the SSM parameter's name and never a secret", env)
		}
	})

	t.Run("connections table", func(t *testing.T) {
		p := tpl.Resources["ConnectionsTable"].Properties
		got, _ := json.Marshal(map[string]any{
			"name": p["TableName"], "billing": p["BillingMode"], "sse": p["SSESpecification"], "key": p["KeySchema"],
			"indexes": p["GlobalSecondaryIndexes"], "ttl": p["TimeToLiveSpecification"],
		})
		want := `{"billing":"PAY_PER_REQUEST","indexes":[{"IndexName":"byUser","KeySchema":[{"AttributeName":"userName","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],` +
			`"key":[{"AttributeName":"connectionId","KeyType":"HASH"}],"name":"go-websocket-api-prod-connections","sse":{"SSEEnabled":false},"ttl":{"AttributeName":"expiresAt","Enabled":true}}`
		if string(got) != want {
			t.Errorf("ConnectionsTable =\n  %s\nwant\n  %s", got, want)
		}
	})

	t.Run("rooms table", func(t *testing.T) {
		p := tpl.Resources["RoomsTable"].Properties
		got, _ := json.Marshal(map[string]any{
			"name": p["TableName"], "billing": p["BillingMode"], "sse": p["SSESpecification"], "key": p["KeySchema"],
			"indexes": p["GlobalSecondaryIndexes"], "ttl": p["TimeToLiveSpecification"],
		})
		want := `{"billing":"PAY_PER_REQUEST","indexes":[{"IndexName":"byConnection","KeySchema":[{"AttributeName":"connectionId","KeyType":"HASH"},{"AttributeName":"room","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],` +
			`"key":[{"AttributeName":"room","KeyType":"HASH"},{"AttributeName":"connectionId","KeyType":"RANGE"}],"name":"go-websocket-api-prod-rooms","sse":{"SSEEnabled":false},"ttl":{"AttributeName":"expiresAt","Enabled":true}}`
		if string(got) != want {
			t.Errorf("RoomsTable =\n  %s\nwant\n  %s", got, want)
		}
	})

	t.Run("fan-out queue", func(t *testing.T) {
		q := tpl.Resources["FanoutQueue"].Properties
		dlq := tpl.Resources["FanoutDeadLetterQueue"]
		redrive, _ := json.Marshal(q["RedrivePolicy"])
		if string(redrive) != `{"deadLetterTargetArn":{"Fn::GetAtt":["FanoutDeadLetterQueue","Arn"]},"maxReceiveCount":5}` || dlq.Type != "AWS::SQS::Queue" {
			t.Errorf("FanoutQueue redrives %s to a %s, want the dead-letter queue after 5 receives", redrive, dlq.Type)
		}
		worker := tpl.Resources["FanoutLambdaFunction"].Properties
		timeout, _ := worker["Timeout"].(float64)
		var esm map[string]any
		for _, r := range tpl.Resources {
			if r.Type == "AWS::Lambda::EventSourceMapping" {
				esm = r.Properties
			}
		}
		window, _ := esm["MaximumBatchingWindowInSeconds"].(float64)
		// AWS: at least six times the function's timeout, plus the batching window.
		if vis, _ := q["VisibilityTimeout"].(float64); vis < 6*timeout+window {
			t.Errorf("VisibilityTimeout %v, want at least 6 × the worker's %v s + %v s", vis, timeout, window)
		}
		got, _ := json.Marshal(map[string]any{"source": esm["EventSourceArn"], "fn": esm["FunctionName"], "batch": esm["BatchSize"],
			"responses": esm["FunctionResponseTypes"], "scaling": esm["ScalingConfig"]})
		want := `{"batch":5,"fn":{"Fn::GetAtt":["FanoutLambdaFunction","Arn"]},"responses":["ReportBatchItemFailures"],"scaling":{"MaximumConcurrency":2},"source":{"Fn::GetAtt":["FanoutQueue","Arn"]}}`
		if string(got) != want {
			t.Errorf("event source mapping =\n  %s\nwant\n  %s", got, want)
		}
		for _, fn := range []string{"Broadcast", "Fanout"} {
			env, _ := json.Marshal(tpl.Resources[fn+"LambdaFunction"].Properties["Environment"])
			if !strings.Contains(string(env), `"FANOUT_QUEUE_URL":{"Ref":"FanoutQueue"}`) || !strings.Contains(string(env), `"ROOMS_TABLE":"go-websocket-api-prod-rooms"`) {
				t.Errorf("%s environment = %s, want the queue's URL and the rooms table", fn, env)
			}
		}
	})

	t.Run("cfn-lint", func(t *testing.T) {
		lint, err := exec.LookPath("cfn-lint")
		if err != nil {
			// CI installs it (.ci/run); a developer's machine may not have it.
			if os.Getenv("CI") == "true" {
				t.Fatal("cfn-lint is not installed, and CI=true: .ci/run installs it (apt-get install cfn-lint)")
			}
			t.Skip("cfn-lint is not installed (apt-get install cfn-lint): the template was checked by the tests above only")
		}
		// Warnings fail too: the project's plugin drops the DependsOn entries
		// the framework writes that a reference already implies (W3005), the
		// template's only warnings.
		out, err := exec.Command(lint, "--non-zero-exit-code", "warning", filepath.Join(dir, "cloudformation-template-update-stack.json")).CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint: %v\n%s", err, out)
		}
	})
}
