package stackcheck

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
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
	// permission, but those a queue's event source mapping invokes: the
	// mapping invokes as the function's own role, and nothing else may.
	var want []string
	for name, r := range tpl.Resources {
		if r.Type == "AWS::Lambda::Function" && !expected.byQueue(strings.TrimSuffix(name, "LambdaFunction")) {
			want = append(want, `{"Fn::GetAtt":["`+name+`","Arn"]}`)
		}
	}
	slices.Sort(want)
	slices.Sort(invoked)
	if len(want) != len(expected.invoked()) {
		t.Errorf("the template has %d functions API Gateway invokes, %s declares %d", len(want), expectedFile, len(expected.invoked()))
	}
	if !slices.Equal(invoked, want) {
		t.Errorf("invoke permissions differ from one for each function:%s", diff(set(invoked), set(want)))
	}
}

// set makes a list comparable with diff; an item listed twice shows as "×2".
func set(items []string) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		if _, ok := out[it]; ok {
			out[it] = "×2"
			continue
		}
		out[it] = "×1"
	}
	return out
}
