package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A function added to serverless.yml while the gateway runs has no
// bin/<fn>.zip yet, which `serverless package` refuses: the plugin writes a
// placeholder for it (the gateway packages with --param build=off), the
// gateway builds the function's bootstrap for this machine, and serves the
// new route on the connections already open, without `make build`.

// TestNewRouteFromMakeRoute adds a route as `make route` does.
func TestNewRouteFromMakeRoute(t *testing.T) {
	t.Parallel()
	root := workspaceCopy(t)
	g := startCopy(t, root)
	c := g.dial(t, "taro", "")
	zip := filepath.Join(root, "bin", "frotz.zip")
	if _, err := os.Stat(zip); !os.IsNotExist(err) {
		t.Fatalf("bin/frotz.zip before the route exists: %v, want it missing", err)
	}

	cmd := exec.Command("go", "run", "./tools/route", "-name", "frotz")
	cmd.Dir = root
	cmd.Env = goEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./tools/route -name frotz: %v\n%s", err, out)
	}
	awaitReply(t, c, `{"action":"frotz"}`, `{"message":"frotz: received"}`, 3*time.Minute)
	// Packaging wanted bin/frotz.zip: a placeholder, not a build for Lambda.
	if data, err := os.ReadFile(zip); err != nil || !strings.HasPrefix(string(data), "placeholder for bin/frotz.zip") {
		t.Errorf("bin/frotz.zip after the route is served: %v, %.40q; want the plugin's placeholder", err, data)
	}
	if _, err := os.Stat(filepath.Join(root, "bin", "arm64")); !os.IsNotExist(err) {
		t.Errorf("bin/arm64 exists (%v): the gateway built for Lambda", err)
	}
}

// TestNewRouteAddedByHand adds a function by hand: its module and its place
// in go.work first, then its function, route and role in serverless.yml,
// saved once.
func TestNewRouteAddedByHand(t *testing.T) {
	t.Parallel()
	root := workspaceCopy(t)
	g := startCopy(t, root)
	c := g.dial(t, "taro", "")

	if err := os.Mkdir(filepath.Join(root, "zork"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "go.sum", "handler.go", "main.go"} {
		copyFile(t, filepath.Join(root, "hello", f), filepath.Join(root, "zork", f))
	}
	editFile(t, root, "zork/go.mod", "module wsapi/hello", "module wsapi/zork")
	editFile(t, root, "go.work", "./hello\n", "./hello\n\t./zork\n")

	yml, err := os.ReadFile(filepath.Join(root, "serverless.yml"))
	if err != nil {
		t.Fatal(err)
	}
	function := `  zork:
    handler: bootstrap
    package:
      artifact: bin/zork.zip
    role: ZorkRole
    events:
      - websocket:
          route: zork
`
	role := `    ZorkRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument: ${self:custom.lambdaTrust}
        Policies:
          - PolicyName: logs-traces-and-replies
            PolicyDocument:
              Version: '2012-10-17'
              Statement:
                - Effect: Allow
                  Action:
                    - logs:CreateLogStream
                    - logs:PutLogEvents
                  Resource:
                    Fn::GetAtt: [ZorkLogGroup, Arn]
                - ${self:custom.putTraces}
                - ${self:custom.manageConnections}
`
	if !strings.Contains(string(yml), "\n  hello:\n") || !strings.Contains(string(yml), "\n    HelloRole:\n") {
		t.Fatal("serverless.yml has no hello function or HelloRole to add zork beside")
	}
	edited := strings.Replace(string(yml), "\n  hello:\n", "\n"+function+"  hello:\n", 1)
	edited = strings.Replace(edited, "\n    HelloRole:\n", "\n"+role+"    HelloRole:\n", 1)
	if err := os.WriteFile(filepath.Join(root, "serverless.yml"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	awaitReply(t, c, `{"action":"zork","userName":"taro"}`, `{"message":"hello, taro!"}`, 3*time.Minute)
}
