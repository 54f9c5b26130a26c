package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// These tests serve a serverless.yml written for each, in a copy of the
// workspace holding only what `serverless package` reads, to check that
// the gateway serves the template that deploys, whoever wrote each part.

// serviceDir writes yml as serverless.yml in a new directory beside the
// project's package.json and node_modules, with a stand-in zip for each
// artifact: packaging only hashes them.
func serviceDir(t testing.TB, yml string) string {
	t.Helper()
	w := newTempProject(t, projectDir)
	w.copy(t, "package.json")
	w.write(t, "serverless.yml", yml)
	w.standInArtifacts(t)
	return w.Dir
}

// rawResourcesYML serves hello only through routes written as raw
// CloudFormation, two routes the gateway cannot serve, a table named with
// Fn::Sub, an environment built with Fn::GetAtt, Fn::Split and
// Fn::Select, a route response, and a misspelt key.
const rawResourcesYML = `
service: svc
frameworkVersion: '>=3'
configValidationMode: warn
provider:
  name: aws
  runtime: provided.al2023
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, 'ap-northeast-1'}
  tracing:
    lambda: true
functions:
  ondisconnect:
    handler: bootstrap
    package:
      artifact: bin/ondisconnect.zip
    environment:
      CONNECTIONS_TABLE:
        Fn::Select: [1, {Fn::Split: ["/", {Fn::GetAtt: [Registry, Arn]}]}]
      ROOMS_TABLE: {Ref: Rooms}
    events:
      - websocket:
          route: $disconnect
      - websocket:
          route: bye
          routeResponseSelectionExpression: $default
  hello:
    handler: bootstrap
    package:
      artifact: bin/hello.zip
    websocket:
      route: typo
resources:
  Resources:
    Registry:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: {Fn::Sub: '${AWS::StackName}-registry'}
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: connectionId, AttributeType: S}]
        KeySchema: [{AttributeName: connectionId, KeyType: HASH}]
    Rooms:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: {Fn::Sub: '${AWS::StackName}-rooms'}
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: room, AttributeType: S}, {AttributeName: connectionId, AttributeType: S}]
        KeySchema: [{AttributeName: room, KeyType: HASH}, {AttributeName: connectionId, KeyType: RANGE}]
        GlobalSecondaryIndexes:
          - IndexName: byConnection
            KeySchema: [{AttributeName: connectionId, KeyType: HASH}, {AttributeName: room, KeyType: RANGE}]
            Projection: {ProjectionType: KEYS_ONLY}
    HelloIntegration:
      Type: AWS::ApiGatewayV2::Integration
      Properties:
        ApiId: {Ref: WebsocketsApi}
        IntegrationType: AWS_PROXY
        IntegrationUri:
          Fn::Sub: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${HelloLambdaFunction.Arn}/invocations
    HelloRoute:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: {Ref: WebsocketsApi}
        RouteKey: hello
        Target: {Fn::Join: ["/", [integrations, {Ref: HelloIntegration}]]}
    SignedRoute:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: {Ref: WebsocketsApi}
        RouteKey: signed
        AuthorizationType: AWS_IAM
        Target: {Fn::Join: ["/", [integrations, {Ref: HelloIntegration}]]}
    WebhookIntegration:
      Type: AWS::ApiGatewayV2::Integration
      Properties:
        ApiId: {Ref: WebsocketsApi}
        IntegrationType: HTTP_PROXY
        IntegrationMethod: POST
        IntegrationUri: https://hooks.example.com/ws
    WebhookRoute:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: {Ref: WebsocketsApi}
        RouteKey: webhook
        Target: {Fn::Join: ["/", [integrations, {Ref: WebhookIntegration}]]}
`

func TestServesTheTemplate(t *testing.T) {
	t.Parallel()
	g := startGatewayIn(t, serviceDir(t, rawResourcesYML))
	c := dial(t, g.url)

	// Declared only under resources, as raw CloudFormation.
	if got := send(t, c, `{"action":"hello","userName":"taro"}`); got != `{"message":"hello, taro!"}` {
		t.Errorf("hello through a raw Route and Integration got %s", got)
	}
	// The route response sends the function's body: ondisconnect answers
	// only once it has reached the table its environment names through
	// Fn::GetAtt, Fn::Split and Fn::Select, and the table was named with Fn::Sub.
	if got := send(t, c, `{"action":"bye"}`); got != "Disconnected." {
		t.Errorf("bye got %q, want the function's body Disconnected.", got)
	}
	g.waitOutput(t, `(?m)^dynamodb +│ created svc-local-registry `, 1)
	for _, action := range []string{"signed", "webhook"} {
		if got := send(t, c, `{"action":"`+action+`"}`); !strings.HasPrefix(got, `{"message": "Forbidden"`) {
			t.Errorf("%s got %s, want Forbidden: the route is not served", action, got)
		}
	}

	out := g.output()
	warnings := regexp.MustCompile(`(?m)^warning +│ .*$`).FindAllString(out, -1)
	want := []string{
		`^warning +│ SignedRoute: route signed: AuthorizationType AWS_IAM .*: not served$`,
		`^warning +│ WebhookRoute: route webhook: integration WebhookIntegration is HTTP_PROXY https://hooks.example.com/ws, .*: not served$`,
	}
	if len(warnings) != len(want) {
		t.Errorf("warnings:\n%s\nwant one for SignedRoute and one for WebhookRoute, and no other", strings.Join(warnings, "\n"))
	}
	for _, w := range want {
		if !regexp.MustCompile(`(?m)` + w).MatchString(out) {
			t.Errorf("no warning matching %s", w)
		}
	}
	// The framework's own warning about the misspelt key.
	g.waitOutput(t, `(?m)^serverless +│ .*functions\.hello.*unrecognized property 'websocket'`, 1)
}

// TestDoesNotPackage expects a serverless.yml the framework refuses to stop
// the gateway with the framework's own error, before dynalite or any
// function starts.
func TestDoesNotPackage(t *testing.T) {
	t.Parallel()
	yml := strings.Replace(rawResourcesYML, "configValidationMode: warn\n", "", 1)
	g := launchGateway(t, serviceDir(t, yml))
	if code := g.awaitExit(t, 60*time.Second); code == 0 {
		t.Error("gateway exited 0 on a service that does not package")
	}
	out := g.output()
	if !regexp.MustCompile(`(?m)^serverless +│ .*Configuration error at 'functions.hello': unrecognized property 'websocket'`).MatchString(out) {
		t.Errorf("the framework's error is missing:\n%s", out)
	}
	if strings.Contains(out, "dynamodb") || strings.Contains(out, "ready:") {
		t.Errorf("started serving a service that does not package:\n%s", out)
	}
}

// cdkTemplate is what `cdk synth` writes for offline/testdata/cdk/app.js: a
// WebSocketApi whose functions CloudFormation names, so that only their
// logical ids are known before deployment.
const cdkTemplate = "../offline/testdata/cdk/cdk.template.json"

// TestServesACDKTemplate serves CDK's template with a bootstrap named by
// its function's logical id, as a CDK user would.
func TestServesACDKTemplate(t *testing.T) {
	t.Parallel()
	g := startGateway(t, "-template", cdkTemplate,
		"-bootstrap", "Hello4A628BD4="+filepath.Join(buildDir, "bin", "hello", "bootstrap"),
		"-bootstrap", "Goodbye="+filepath.Join(buildDir, "bin", "hello", "bootstrap"))
	c := dial(t, g.url)
	if got := send(t, c, `{"action":"hello","userName":"taro"}`); got != `{"message":"hello, taro!"}` {
		t.Errorf("hello got %s", got)
	}
	out := g.output()
	// The template is environment-agnostic: it states no region.
	if !regexp.MustCompile(`(?m)^gateway +│ Chat, stage dev, region us-east-1, routes on `).MatchString(out) {
		t.Errorf("no line naming the API, its stage and us-east-1 in:\n%s", out)
	}
	warnings := regexp.MustCompile(`(?m)^warning +│ .*$`).FindAllString(out, -1)
	want := []string{
		`^warning +│ Goodbye: a bootstrap is given for Goodbye, but the template has no AWS::Lambda::Function with that logical id or FunctionName; its functions: Hello4A628BD4 \(FunctionName cdk\.template-Hello4A628BD4-[A-Z0-9]+\), `,
		`^warning +│ OnConnect5B7981D4: function .*: no bootstrap was given: `,
		`^warning +│ OnDisconnectDDB1160C: function .*: no bootstrap was given: `,
	}
	if len(warnings) != len(want) {
		t.Errorf("warnings:\n%s\nwant one for Goodbye, OnConnect and OnDisconnect, and none for CDK's metadata", strings.Join(warnings, "\n"))
	}
	for _, w := range want {
		if !regexp.MustCompile(`(?m)` + w).MatchString(out) {
			t.Errorf("no warning matching %s in:\n%s", w, out)
		}
	}
}

// TestServesNothing expects a template none of whose routes can be served
// to stop the gateway, saying why.
func TestServesNothing(t *testing.T) {
	t.Parallel()
	g := launchGateway(t, projectDir, "-template", cdkTemplate)
	if code := g.awaitExit(t, 60*time.Second); code == 0 {
		t.Error("gateway exited 0 with nothing to serve")
	}
	out := g.output()
	if !strings.Contains(out, "nothing to serve: no route of the WebSocket API Chat can be served: ") ||
		!strings.Contains(out, "Hello4A628BD4: function ") || strings.Contains(out, "ready:") {
		t.Errorf("output:\n%s\nwant nothing served, with why", out)
	}
}
