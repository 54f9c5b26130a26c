package gateway

import (
	"strings"
	"testing"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/cloudformation/cloudformationtest"
)

// TestThrottling: the stage's DefaultRouteSettings throttle each route and
// its RouteSettings one route, a limit either leaves unset being the
// account's; a stage that sets none throttles nothing.
func TestThrottling(t *testing.T) {
	opts, _ := cloudformationtest.Options(t)
	stage := func(props map[string]any) map[string]any {
		p := map[string]any{"ApiId": map[string]any{"Ref": "Api"}, "StageName": "prod"}
		for k, v := range props {
			p[k] = v
		}
		return map[string]any{"Type": "AWS::ApiGatewayV2::Stage", "Properties": p}
	}
	stageDefault := map[string]any{"DefaultRouteSettings": map[string]any{
		"LoggingLevel": "ERROR", "ThrottlingRateLimit": 500, "ThrottlingBurstLimit": 1000}}
	tests := []struct {
		name                   string
		stage                  map[string]any
		stageWant, connect, hi *Throttle
		warning                string
	}{
		{"none set", nil, nil, nil, nil, ""},
		{"logging only", map[string]any{"DefaultRouteSettings": map[string]any{"LoggingLevel": "ERROR"}}, nil, nil, nil, ""},
		{"the stage's, for every route", stageDefault,
			&Throttle{500, 1000}, &Throttle{500, 1000}, &Throttle{500, 1000}, ""},
		{"a route's over the stage's", map[string]any{
			"DefaultRouteSettings": stageDefault["DefaultRouteSettings"],
			"RouteSettings":        map[string]any{"hello": map[string]any{"ThrottlingBurstLimit": 5, "ThrottlingRateLimit": "0.5"}}},
			&Throttle{500, 1000}, &Throttle{500, 1000}, &Throttle{0.5, 5}, ""},
		{"a route's burst alone keeps the stage's rate", map[string]any{
			"DefaultRouteSettings": stageDefault["DefaultRouteSettings"],
			"RouteSettings":        map[string]any{"hello": map[string]any{"ThrottlingBurstLimit": 0}}},
			&Throttle{500, 1000}, &Throttle{500, 1000}, &Throttle{500, 0}, ""},
		{"a route's alone, the account's for what it leaves unset", map[string]any{
			"RouteSettings": map[string]any{"$connect": map[string]any{"ThrottlingRateLimit": 10}}},
			nil, &Throttle{10, 5000}, nil, ""},
		{"a limit that is no number", map[string]any{"DefaultRouteSettings": map[string]any{"ThrottlingRateLimit": "fast", "ThrottlingBurstLimit": 10}},
			&Throttle{10000, 10}, &Throttle{10000, 10}, &Throttle{10000, 10},
			"Stage: DefaultRouteSettings.ThrottlingRateLimit is fast, not a number at least 0"},
		{"a negative limit", map[string]any{"RouteSettings": map[string]any{"hello": map[string]any{"ThrottlingBurstLimit": -1}}},
			nil, nil, nil, "Stage: RouteSettings.hello.ThrottlingBurstLimit is -1, not a number at least 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := readRoutes([]byte(cloudformationtest.WebSocketAPI(map[string]any{"Stage": stage(tt.stage)})), opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what      string
				got, want *Throttle
			}{{"stage", s.Throttle, tt.stageWant}, {"$connect", s.Routes["$connect"].Throttle, tt.connect}, {"hello", s.Routes["hello"].Throttle, tt.hi}} {
				if (c.got == nil) != (c.want == nil) || c.got != nil && *c.got != *c.want {
					t.Errorf("%s: throttle %v, want %v", c.what, c.got, c.want)
				}
			}
			switch {
			case tt.warning == "" && len(s.Warnings) != 0:
				t.Errorf("warnings %q, want none", s.Warnings)
			case tt.warning != "" && (len(s.Warnings) != 1 || !strings.HasPrefix(s.Warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one beginning %q", s.Warnings, tt.warning)
			}
		})
	}
}

// routesRead is what the gateway reads of a template: the stage's
// throttling, the routes, and the warnings about them.
type routesRead struct {
	Throttle *Throttle
	Routes   map[string]Route
	Warnings []string
}

func readRoutes(template []byte, opts cloudformation.Options) (*routesRead, error) {
	t, err := cloudformation.Load(template, opts)
	if err != nil {
		return nil, err
	}
	api, err := ReadAPI(t, "")
	if err != nil {
		return nil, err
	}
	routes := api.ReadRoutes(t)
	return &routesRead{Throttle: api.Throttle, Routes: routes, Warnings: t.Warnings()}, nil
}
