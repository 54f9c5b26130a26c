package stackcheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// grantSet is what a role may do: action -> the resource it may do it on, as
// the template's JSON.
type grantSet map[string]string

func TestLeastPrivilege(t *testing.T) {
	tpl, _ := packaged(t)
	known, err := expected.roles()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range iamProblems(tpl.Resources, known) {
		t.Error(p)
	}
}

// iamProblems checks every IAM resource in resources: each must be a role in
// known, assumable by Lambda alone, with inline policies granting exactly its
// known grants and nothing attached from elsewhere. It returns one line per
// problem, naming the resource.
func iamProblems(resources map[string]resource, known map[string]grantSet) []string {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(resources)) {
		r := resources[name]
		if !strings.HasPrefix(r.Type, "AWS::IAM::") {
			continue
		}
		want, ok := known[name]
		if r.Type != "AWS::IAM::Role" || !ok {
			got, _ := json.Marshal(r.Properties)
			problems = append(problems, fmt.Sprintf("%s (%s) is not known to this test: declare its function in tools/stackcheck/expected.yml on purpose, or remove it\n  %s", name, r.Type, got))
			continue
		}
		if trust, _ := json.Marshal(r.Properties["AssumeRolePolicyDocument"]); string(trust) != lambdaTrust {
			problems = append(problems, fmt.Sprintf("%s may be assumed by %s, want Lambda alone: %s", name, trust, lambdaTrust))
		}
		for _, key := range []string{"ManagedPolicyArns", "PermissionsBoundary"} {
			if v, ok := r.Properties[key]; ok {
				problems = append(problems, fmt.Sprintf("%s has %s %v: every grant belongs in its inline policies, where this test reads it", name, key, v))
			}
		}
		got, err := grants(r)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		if !maps.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("%s grants other than %s declares:%s", name, expectedFile, diff(got, want)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(known)) {
		if _, ok := resources[name]; !ok {
			problems = append(problems, fmt.Sprintf("%s is missing from the template", name))
		}
	}
	return problems
}

const lambdaTrust = `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}`

// grants flattens a role's inline policies into action -> resource. A
// statement this test cannot read as a plain grant (Deny, NotAction,
// NotResource, Condition) is an error: its meaning is not a list of grants.
func grants(role resource) (grantSet, error) {
	out := grantSet{}
	policies, _ := role.Properties["Policies"].([]any)
	for _, p := range policies {
		var policy struct {
			PolicyDocument struct {
				Statement []map[string]any
			}
		}
		raw, _ := json.Marshal(p)
		if err := json.Unmarshal(raw, &policy); err != nil {
			return nil, fmt.Errorf("policy %s: %w", raw, err)
		}
		for _, st := range policy.PolicyDocument.Statement {
			for key := range st {
				if key != "Effect" && key != "Action" && key != "Resource" && key != "Sid" {
					return nil, fmt.Errorf("statement %v has %s: write plain Allow statements", st, key)
				}
			}
			if st["Effect"] != "Allow" {
				return nil, fmt.Errorf("statement %v: want Effect Allow", st)
			}
			actions, ok := asList(st["Action"])
			if !ok {
				return nil, fmt.Errorf("statement %v: Action is not a string or a list of strings", st)
			}
			res, _ := json.Marshal(st["Resource"])
			for _, a := range actions {
				if prev, ok := out[a]; ok && prev != string(res) {
					return nil, fmt.Errorf("%s is granted on %s and on %s: one resource per action", a, prev, res)
				}
				out[a] = string(res)
			}
		}
	}
	return out, nil
}

func asList(v any) ([]string, bool) {
	switch v := v.(type) {
	case string:
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, s := range v {
			str, ok := s.(string)
			if !ok {
				return nil, false
			}
			out = append(out, str)
		}
		return out, true
	}
	return nil, false
}

// TestIAMProblems shows that iamProblems fails a stack for what it was meant
// to catch, naming the resource, and passes the known one.
func TestIAMProblems(t *testing.T) {
	role := func(statements string) resource {
		var r resource
		doc := `{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":` + lambdaTrust +
			`,"Policies":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[` + statements + `]}}]}}`
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	hello := `{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":{"Fn::GetAtt":["HelloLogGroup","Arn"]}}`
	known := map[string]grantSet{"HelloRole": {"logs:PutLogEvents": `{"Fn::GetAtt":["HelloLogGroup","Arn"]}`}}
	withTrust := func(trust string) resource {
		r := role(hello)
		var doc any
		_ = json.Unmarshal([]byte(trust), &doc)
		r.Properties["AssumeRolePolicyDocument"] = doc
		return r
	}
	withManaged := role(hello)
	withManaged.Properties["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/AdministratorAccess"}

	tests := []struct {
		name      string
		resources map[string]resource
		want      string // in the one problem; "" for none
	}{
		{"the known stack", map[string]resource{"HelloRole": role(hello)}, ""},
		{"a new role granting dynamodb:* on *", map[string]resource{
			"HelloRole": role(hello),
			"RogueRole": role(`{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}`),
		}, "RogueRole (AWS::IAM::Role) is not known"},
		{"a policy attached from outside the role", map[string]resource{
			"HelloRole":   role(hello),
			"ExtraPolicy": {Type: "AWS::IAM::Policy", Properties: map[string]any{"Roles": []any{"HelloRole"}}},
		}, "ExtraPolicy (AWS::IAM::Policy) is not known"},
		{"a managed policy resource", map[string]resource{
			"HelloRole": role(hello),
			"Managed":   {Type: "AWS::IAM::ManagedPolicy"},
		}, "Managed (AWS::IAM::ManagedPolicy) is not known"},
		{"a known role granting one action more", map[string]resource{
			"HelloRole": role(hello + `,{"Effect":"Allow","Action":"dynamodb:Scan","Resource":"*"}`),
		}, "HelloRole grants"},
		{"a known role on a wider resource", map[string]resource{
			"HelloRole": role(`{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}`),
		}, "HelloRole grants"},
		{"a known role with a managed policy", map[string]resource{"HelloRole": withManaged}, "HelloRole has ManagedPolicyArns"},
		{"a known role another service may assume", map[string]resource{
			"HelloRole": withTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		}, "HelloRole may be assumed by"},
		{"a known role with a NotAction", map[string]resource{
			"HelloRole": role(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`),
		}, "HelloRole: statement"},
		{"a known role with a Deny", map[string]resource{
			"HelloRole": role(hello + `,{"Effect":"Deny","Action":"s3:*","Resource":"*"}`),
		}, "want Effect Allow"},
		{"a known role gone", map[string]resource{}, "HelloRole is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := iamProblems(tt.resources, known)
			if tt.want == "" {
				if len(got) > 0 {
					t.Errorf("problems = %q, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tt.want) {
				t.Errorf("problems = %q, want one containing %q", got, tt.want)
			}
		})
	}
}

// TestRoleNames holds each function's role to an explicit name, unique per
// service, stage and region, that IAM accepts: `serverless deploy function`
// builds the role's ARN from it and fails without one.
func TestRoleNames(t *testing.T) {
	tpl, _ := packaged(t)
	for _, fn := range expected.Functions {
		id := strings.ToUpper(fn.Name[:1]) + fn.Name[1:]
		role, ok := tpl.Resources[id+"Role"]
		if !ok {
			t.Errorf("%s has no role %sRole", fn.Name, id)
			continue
		}
		name, _ := role.Properties["RoleName"].(string)
		if want := "go-websocket-api-prod-ap-northeast-1-" + fn.Name; name != want {
			t.Errorf("%sRole is named %q, want %q", id, name, want)
		}
		if len(name) > 64 {
			t.Errorf("%sRole's name %q is %d characters: IAM allows 64", id, name, len(name))
		}
		ref, _ := json.Marshal(tpl.Resources[id+"LambdaFunction"].Properties["Role"])
		if string(ref) != `{"Fn::GetAtt":["`+id+`Role","Arn"]}` {
			t.Errorf("%s runs as %s, want its own %sRole", fn.Name, ref, id)
		}
	}
}
