package stackcheck

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
)

// TestStageLogs checks that the stage logs what never reaches a function: a
// handshake refused before the authorizer runs, a denial, a message no route
// matches.
func TestStageLogs(t *testing.T) {
	tpl, _ := packaged(t)
	stage := tpl.Resources["WebsocketsDeploymentStage"].Properties

	t.Run("access log", func(t *testing.T) {
		var access struct {
			DestinationArn any
			Format         string
		}
		raw, _ := json.Marshal(stage["AccessLogSettings"])
		if err := json.Unmarshal(raw, &access); err != nil {
			t.Fatalf("AccessLogSettings = %s: %v", raw, err)
		}
		dest, _ := json.Marshal(access.DestinationArn)
		if !strings.Contains(string(dest), "${WebsocketsLogGroup}") {
			t.Errorf("access logs go to %s, want the WebsocketsLogGroup", dest)
		}
		// API Gateway's quota on an access log format.
		if len(access.Format) > 3*1024 {
			t.Errorf("access log format is %d bytes, over API Gateway's 3 KB", len(access.Format))
		}
		var fields map[string]string
		if err := json.Unmarshal([]byte(access.Format), &fields); err != nil {
			t.Fatalf("access log format is not one JSON object: %v\n%s", err, access.Format)
		}
		want := map[string]string{
			"requestId":            "$context.requestId",
			"connectionId":         "$context.connectionId",
			"eventType":            "$context.eventType",
			"routeKey":             "$context.routeKey",
			"status":               "$context.status",
			"error":                "$context.error.message",
			"authorizerError":      "$context.authorizer.error",
			"integrationLatencyMs": "$context.integration.latency",
			"sourceIp":             "$context.identity.sourceIp",
		}
		if !maps.Equal(fields, want) {
			t.Errorf("access log fields = %v, want %v", fields, want)
		}
	})

	t.Run("log group", func(t *testing.T) {
		group := tpl.Resources["WebsocketsLogGroup"].Properties
		if group["LogGroupName"] != "/aws/websocket/go-websocket-api-prod" {
			t.Errorf("access log group %v, want /aws/websocket/go-websocket-api-prod", group["LogGroupName"])
		}
		fns := tpl.Resources["HelloLogGroup"].Properties["RetentionInDays"]
		if group["RetentionInDays"] == nil || group["RetentionInDays"] != fns {
			t.Errorf("access logs kept %v days, want the functions' %v", group["RetentionInDays"], fns)
		}
	})

	t.Run("execution logs and throttling", func(t *testing.T) {
		var settings struct {
			LoggingLevel         string
			DataTraceEnabled     *bool
			ThrottlingRateLimit  float64
			ThrottlingBurstLimit float64
		}
		raw, _ := json.Marshal(stage["DefaultRouteSettings"])
		if err := json.Unmarshal(raw, &settings); err != nil {
			t.Fatalf("DefaultRouteSettings = %s: %v", raw, err)
		}
		// Full execution data would log every message body.
		if settings.LoggingLevel != "ERROR" || settings.DataTraceEnabled == nil || *settings.DataTraceEnabled {
			t.Errorf("DefaultRouteSettings = %s, want LoggingLevel ERROR and DataTraceEnabled false", raw)
		}
		if settings.ThrottlingRateLimit <= 0 || settings.ThrottlingBurstLimit <= 0 {
			t.Errorf("DefaultRouteSettings = %s, want a throttling rate and burst", raw)
		}
	})

	// provider.logs.restApi.roleManagedExternally keeps osls from adding a
	// custom resource that creates the account's CloudWatch role.
	t.Run("no custom resources", func(t *testing.T) {
		for name, r := range tpl.Resources {
			if strings.HasPrefix(r.Type, "Custom::") {
				t.Errorf("%s (%s): the stack should not change account settings", name, r.Type)
			}
		}
	})
}
