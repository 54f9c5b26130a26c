package slsconfig

import (
	"os"
	"testing"
)

// FuzzLoad checks that no input makes Load panic or hang, and that a
// configuration it accepts is consistent. `go test` runs only the seeds.
func FuzzLoad(f *testing.F) {
	project, err := os.ReadFile("../../../serverless.yml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(project)
	f.Add([]byte(withValue("${self:custom.${sls:stage}.url}-${env:MISSING, 'x'}")))
	f.Add([]byte(withValue("db-${ssm:/a}-${file(./c.yml):k}-${AWS::Region}")))
	f.Add([]byte("service: svc\nx: &a {k: *a}\n"))
	f.Add([]byte("service: svc\nd: &d {handler: b}\nfunctions:\n  f:\n    <<: *d\n    events:\n      - websocket: {route: $connect, authorizer: {name: f}}\n"))
	f.Add([]byte("service: svc\nresources:\n  Resources:\n    T: !GetAtt A.B\n    U: !Sub '${AWS::Region}'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse("serverless.yml", data, Options{Env: env(map[string]string{"A": "1"})})
		if err != nil {
			return
		}
		for _, r := range c.Routes {
			if c.Functions[r.Function] == nil {
				t.Errorf("route %q names function %q, which is not loaded", r.Key, r.Function)
			}
			if r.Authorizer != nil && c.Functions[r.Authorizer.Function] == nil {
				t.Errorf("route %q's authorizer %q is not loaded", r.Key, r.Authorizer.Function)
			}
		}
	})
}
