package stackcheck

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
)

// TestInvokePermissions checks that every function API Gateway may invoke may
// be invoked by this API alone: a service principal without a SourceArn lets
// an API in any account that learns a function's ARN invoke it.
func TestInvokePermissions(t *testing.T) {
	tpl, _ := packaged(t)
	const thisAPI = `{"Fn::Sub":"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebsocketsApi}/*"}`
	var invoked []string
	for _, name := range slices.Sorted(maps.Keys(tpl.Resources)) {
		r := tpl.Resources[name]
		if r.Type != "AWS::Lambda::Permission" {
			continue
		}
		p := r.Properties
		source, _ := json.Marshal(p["SourceArn"])
		if p["Principal"] != "apigateway.amazonaws.com" || p["Action"] != "lambda:InvokeFunction" || string(source) != thisAPI {
			t.Errorf("%s lets %v %v with SourceArn %s, want apigateway.amazonaws.com lambda:InvokeFunction from %s",
				name, p["Principal"], p["Action"], source, thisAPI)
		}
		fn, _ := json.Marshal(p["FunctionName"])
		invoked = append(invoked, string(fn))
	}
	// API Gateway invokes every function of this service, each through one
	// permission, but the fan-out worker: its event source mapping invokes
	// it as the function's own role, and nothing else may.
	var want []string
	for name, r := range tpl.Resources {
		if r.Type == "AWS::Lambda::Function" && name != "FanoutLambdaFunction" {
			want = append(want, `{"Fn::GetAtt":["`+name+`","Arn"]}`)
		}
	}
	slices.Sort(want)
	slices.Sort(invoked)
	if len(want) != 8 || !slices.Equal(invoked, want) {
		t.Errorf("invoke permissions for\n  %v\nwant one for each function\n  %v", invoked, want)
	}
}
