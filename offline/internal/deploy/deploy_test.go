package deploy

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/cloudformation/cloudformationtest"
)

// loadFile serves a template from a file, as the gateway serves one given
// with its bootstraps.
func loadFile(t *testing.T, template string, opts cloudformation.Options) (*Service, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stack.template")
	if err := os.WriteFile(path, []byte(template), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(path, Options{Options: opts})
	if err != nil {
		return nil, err
	}
	s.Warnings = append(s.Warnings, s.UnmatchedBootstraps(opts.Bootstraps)...)
	return s, nil
}

func routeKeys(s *Service) []string { return slices.Sorted(maps.Keys(s.Routes)) }

func TestLoadFile(t *testing.T) {
	opts, paths := cloudformationtest.Options(t)
	byLogicalID := opts
	byLogicalID.Bootstraps = map[string]cloudformation.Bootstrap{"Fn": paths["fn"], "Auth": paths["auth"]}
	unmatched := opts
	unmatched.Bootstraps = map[string]cloudformation.Bootstrap{"Fn": paths["fn"], "svc-auth": paths["auth"], "Nope": paths["fn"]}
	tests := []struct {
		name    string
		opts    cloudformation.Options
		edits   map[string]any
		routes  []string
		warning string // the one warning, "" for none
	}{
		{"bootstraps by FunctionName", opts, nil, []string{"$connect", "hello"}, ""},
		{"bootstraps by logical id", byLogicalID, nil, []string{"$connect", "hello"}, ""},
		{"a bootstrap for no function", unmatched, nil, []string{"$connect", "hello"},
			"Nope: a bootstrap is given for Nope, but the template has no AWS::Lambda::Function with that logical id or FunctionName; " +
				"its functions: Auth (FunctionName svc-auth), Fn (FunctionName svc-fn)"},
		{"CDK's metadata", opts, map[string]any{"CDKMetadata": map[string]any{"Type": "AWS::CDK::Metadata",
			"Properties": map[string]any{"Analytics": "v2:deflate64:H4sI"}}}, []string{"$connect", "hello"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loadFile(t, cloudformationtest.WebSocketAPI(tt.edits), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if keys := routeKeys(s); !slices.Equal(keys, tt.routes) {
				t.Errorf("routes %q, want %q", keys, tt.routes)
			}
			if fn := s.Routes["hello"].Function; fn != "fn" {
				t.Errorf("hello calls %q, want fn, the bootstrap's key", fn)
			}
			switch {
			case tt.warning == "" && len(s.Warnings) != 0:
				t.Errorf("warnings %q, want none", s.Warnings)
			case tt.warning != "" && (len(s.Warnings) != 1 || s.Warnings[0] != tt.warning):
				t.Errorf("warnings %q, want %q", s.Warnings, tt.warning)
			}
		})
	}
}

func TestLoadFileRefuses(t *testing.T) {
	opts, _ := cloudformationtest.Options(t)
	noBootstraps := opts
	noBootstraps.Bootstraps = nil
	tests := []struct {
		name     string
		template string
		opts     cloudformation.Options
		want     string
		nothing  bool // a NothingServedError
	}{
		{"a SAM template", "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn: {Type: AWS::Serverless::Function}\n", opts,
			"the template declares Transform AWS::Serverless-2016-10-31, which CloudFormation applies when it deploys; " +
				"the gateway serves what the transform makes", false},
		{"no WebSocket API", `{"Resources": {"Fn": {"Type": "AWS::Lambda::Function"}}}`, opts,
			"the template has no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET: nothing to serve", false},
		{"no route", cloudformationtest.WebSocketAPI(map[string]any{"Connect": nil, "Hello": nil, "HelloResponse": nil}), opts,
			"nothing to serve: no route of the WebSocket API svc can be served: it has no AWS::ApiGatewayV2::Route", true},
		{"no bootstrap", cloudformationtest.WebSocketAPI(nil), noBootstraps,
			"nothing to serve: no route of the WebSocket API svc can be served: Fn: function svc-fn: no bootstrap was given: " +
				"build it with `make offline-build`; its routes are not served; Auth: function svc-auth: no bootstrap was given", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loadFile(t, tt.template, tt.opts)
			if tt.nothing {
				// Loaded, as when a reload can build the bootstraps later,
				// the template is served with its warnings; a template
				// nothing builds the bootstraps of is refused for it.
				if err != nil || len(s.Routes) != 0 {
					t.Fatalf("loaded: %v, %+v; want served with no route", err, s)
				}
				err = NothingServed(s)
			}
			if err == nil {
				t.Fatalf("served %+v", s)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			var nothing *NothingServedError
			if errors.As(err, &nothing) != tt.nothing {
				t.Errorf("error %v: a NothingServedError %v, want %v", err, !tt.nothing, tt.nothing)
			}
		})
	}
}

// TestCDKTemplate serves the template that `cdk synth` writes for
// offline/testdata/cdk, with the hello function's bootstrap named by its
// logical id.
func TestCDKTemplate(t *testing.T) {
	opts, paths := cloudformationtest.Options(t)
	opts.StackName = "HelloStack"
	opts.Bootstraps = map[string]cloudformation.Bootstrap{"Hello4A628BD4": paths["fn"]}
	s, err := LoadFile("../../testdata/cdk/cdk.template.json", Options{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	if keys := routeKeys(s); !slices.Equal(keys, []string{"hello"}) || s.Routes["hello"].Function != "fn" || s.Stage != "dev" {
		t.Errorf("routes %+v on stage %s, want hello calling fn on dev", s.Routes, s.Stage)
	}
	if len(s.Warnings) != 2 || !strings.HasPrefix(s.Warnings[0], "OnConnect5B7981D4: function HelloStack-OnConnect5B7981D4-") ||
		!strings.HasPrefix(s.Warnings[1], "OnDisconnectDDB1160C: function HelloStack-OnDisconnectDDB1160C-") {
		t.Errorf("warnings %q, want one for each function with no bootstrap and none for CDK's metadata, rules or parameters", s.Warnings)
	}
}

func TestRegion(t *testing.T) {
	opts, _ := cloudformationtest.Options(t)
	stated := map[string]any{"Permission": map[string]any{"Type": "AWS::Lambda::Permission", "Properties": map[string]any{
		"SourceArn": map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":execute-api:eu-west-1:123456789012:", map[string]any{"Ref": "Api"}, "/*"}}}}}}
	tests := []struct {
		name, region string
		edits        map[string]any
		want         string
	}{
		{"stated by the template", "", stated, "eu-west-1"},
		{"stated by none", "", nil, "us-east-1"},
		{"given, over the template's", "ap-northeast-1", stated, "ap-northeast-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts
			o.Region = tt.region
			s, err := Load([]byte(cloudformationtest.WebSocketAPI(tt.edits)), Options{Options: o})
			if err != nil {
				t.Fatal(err)
			}
			if s.Region != tt.want {
				t.Errorf("region %q, want %q", s.Region, tt.want)
			}
		})
	}
}
