package slsconfig

import (
	"reflect"
	"testing"
	"time"
)

func TestAliasesAndShortForms(t *testing.T) {
	c, err := load(t, `
service: svc
x-defaults: &defaults
  handler: bootstrap
  timeout: 3
  environment: &env
    MODE: shared
functions:
  a:
    <<: *defaults
    timeout: 5
  b:
    <<: [*defaults]
    environment:
      <<: *env
      EXTRA: yes
resources:
  Resources:
    Table:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: !Sub '${AWS::StackName}-${sls:stage}'
        Arn: !GetAtt Table.Arn
        Parts: !Join [':', [a, !Ref Other]]
        Date: 2012-10-17
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Functions["a"]; a.Handler != "bootstrap" || a.Timeout != 5*time.Second || a.Environment["MODE"] != "shared" {
		t.Errorf("a = %+v", a)
	}
	if b := c.Functions["b"]; b.Timeout != 3*time.Second || !reflect.DeepEqual(b.Environment, map[string]string{"MODE": "shared", "EXTRA": "yes"}) {
		t.Errorf("b = %+v", b)
	}
	want := map[string]any{
		"TableName": map[string]any{"Fn::Sub": "${AWS::StackName}-dev"},
		"Arn":       map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}},
		"Parts":     map[string]any{"Fn::Join": []any{":", []any{"a", map[string]any{"Ref": "Other"}}}},
		"Date":      "2012-10-17",
	}
	if got := c.Resources["Table"].(map[string]any)["Properties"]; !reflect.DeepEqual(got, want) {
		t.Errorf("Properties = %#v\nwant %#v", got, want)
	}
}
