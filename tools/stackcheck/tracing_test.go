package stackcheck

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
)

// TestTracingVariants packages the stack with each tracing backend: every
// function is told which one (TRACING) and keeps active tracing, since both
// send to the X-Ray daemon Lambda runs only for traced functions; the roles
// are the same, xray:PutTraceSegments being what the daemon needs for
// segment documents and OpenTelemetry spans alike.
func TestTracingVariants(t *testing.T) {
	known, err := expected.roles()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ param, want string }{{"", "xray"}, {"otel", "otel"}} {
		t.Run("tracing="+v.want, func(t *testing.T) {
			tpl, _ := packagedWith(t, v.param)
			for _, f := range expected.Functions {
				fn := f.logicalID()
				p := tpl.Resources[fn+"LambdaFunction"].Properties
				var env struct{ Variables map[string]any }
				raw, _ := json.Marshal(p["Environment"])
				_ = json.Unmarshal(raw, &env)
				tracing, _ := p["TracingConfig"].(map[string]any)
				if env.Variables["TRACING"] != v.want || tracing["Mode"] != "Active" {
					t.Errorf("%s: TRACING %v, tracing %v; want %s and Active", fn, env.Variables["TRACING"], tracing, v.want)
				}
			}
			for _, p := range iamProblems(tpl.Resources, known) {
				t.Error(p)
			}
		})
	}
	// Beyond TRACING, the variants are the same stack, the same zips
	// included: every function carries both backends.
	xrayTpl, _ := packagedWith(t, "")
	otelTpl, _ := packagedWith(t, "otel")
	if a, b := withoutTracing(t, xrayTpl), withoutTracing(t, otelTpl); a != b {
		t.Error("the otel stack differs from the xray one in more than TRACING")
	}
}

// withoutTracing is the template as JSON with every function's TRACING and
// the upload's key, named for the time of packaging, taken out.
func withoutTracing(t *testing.T, tpl template) string {
	t.Helper()
	res := maps.Clone(tpl.Resources)
	for name, r := range res {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		raw, _ := json.Marshal(r)
		var c resource
		_ = json.Unmarshal(raw, &c)
		if code, ok := c.Properties["Code"].(map[string]any); ok {
			delete(code, "S3Key")
		}
		if env, ok := c.Properties["Environment"].(map[string]any); ok {
			if vars, ok := env["Variables"].(map[string]any); ok {
				delete(vars, "TRACING")
			}
		}
		res[name] = c
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// A tracing backend the functions do not know stops the framework before
// it builds anything, at the setting.
func TestUnknownTracingRefused(t *testing.T) {
	out, err := serverless("print", "--stage", "prod", "--param", "tracing=otle")
	if err == nil || !strings.Contains(string(out), `"provider.environment.TRACING"`) {
		t.Errorf("serverless print --param tracing=otle: %v, want it refused at provider.environment.TRACING:\n%s", err, out)
	}
}
