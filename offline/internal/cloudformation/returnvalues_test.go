package cloudformation_test

import (
	"encoding/json"
	"testing"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/cloudformation/cloudformationtest"
)

func TestQueueReturnValues(t *testing.T) {
	out := map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"FunctionName": "other",
		"Environment": map[string]any{"Variables": map[string]any{
			"REF": map[string]any{"Ref": "Q"}, "URL": map[string]any{"Fn::GetAtt": []any{"Q", "QueueUrl"}},
			"ARN": map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}, "NAME": map[string]any{"Fn::GetAtt": []any{"Q", "QueueName"}}}}}}
	edits := map[string]any{"Q": map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"QueueName": "jobs"}}, "Fn": out}
	opts := cloudformationtest.PlacedIn(t, "eu-west-1")
	opts.Bootstraps = map[string]cloudformation.Bootstrap{"other": opts.Bootstraps["svc-fn"]}
	s, err := cloudformation.Load([]byte(cloudformationtest.WebSocketAPI(edits)), opts)
	if err != nil {
		t.Fatal(err)
	}
	s.ServeFunction("Fn")
	got, _ := json.Marshal(s.Functions["fn"].Env)
	want := `{"ARN":"arn:aws:sqs:eu-west-1:123456789012:jobs","NAME":"jobs","REF":"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs","URL":"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"}`
	if string(got) != want {
		t.Errorf("env %s, want %s", got, want)
	}
}
